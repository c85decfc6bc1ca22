using System;
using System.IO;
using System.Linq;
using SymDiff.Nn;

namespace SymDiff.Tests;

/// <summary>A model of the user's own: y = a·e^(−k·t), one generated per-example gradient.</summary>
public static partial class DecayModel
{
    [Differentiable(nameof(a), nameof(k))]
    public static double SquaredError(double a, double k, double t, double y)
    {
        double residual = (a * Math.Exp(-k * t)) - y;
        return residual * residual;
    }

    [Differentiable(nameof(a), nameof(k))]
    public static float SquaredErrorF(float a, float k, float t, float y)
    {
        float residual = (a * MathF.Exp(-k * t)) - y;
        return residual * residual;
    }
}

/// <summary>
/// Training, checking and saving a model that is not an Mlp: named parameters over the user's
/// own arrays, the trainer over a loss-and-gradient function, GradCheck over named arrays in
/// float and double, and model files of named parameters with an optimizer over some of them.
/// </summary>
public sealed class CustomModelTests : IDisposable
{
    private const double TrueA = 2.5, TrueK = 0.7;
    private readonly string folder = Directory.CreateTempSubdirectory("symdiff-custom").FullName;
    private readonly double[] times = Enumerable.Range(0, 40).Select(i => i * 0.1).ToArray();

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private double[] Targets => times.Select(t => TrueA * Math.Exp(-TrueK * t)).ToArray();

    // The batch's mean squared error, with both gradients written (overwritten).
    private static BatchGradient Decay(Parameter<double> a, Parameter<double> k, double[] times, double[] targets) => batch =>
    {
        double loss = 0, da = 0, dk = 0;
        foreach (int i in batch)
        {
            loss += DecayModel.SquaredErrorGradient(a.Value[0], k.Value[0], times[i], targets[i], out double dai, out double dki);
            da += dai;
            dk += dki;
        }

        a.Gradient[0] = da / batch.Length;
        k.Gradient[0] = dk / batch.Length;
        return loss / batch.Length;
    };

    [Fact]
    public void The_trainer_fits_a_model_of_your_own_with_any_optimizer_and_schedule()
    {
        var a = Parameter<double>.Scalar("a", 1);
        var k = Parameter<double>.Scalar("k", 0.1);
        Parameter<double>[] parameters = [a, k];
        var adam = new Adam<double>(parameters, learningRate: 0.05);
        int steps = 0;
        TrainingHistory history = Trainer.Train(parameters, adam, times.Length, Decay(a, k, times, Targets), new TrainingOptions
        {
            Epochs = 400,
            BatchSize = 8,
            Seed = 3,
            Schedule = new LearningRateSchedule.Step(0.05, Every: 100, Gamma: 0.5),
            OnStep = _ => steps++,
            TargetLoss = 1e-10,
        });
        Assert.Equal(2.5, a.Value[0], 3);
        Assert.Equal(0.7, k.Value[0], 3);
        Assert.True(history.EpochLosses[^1] < 1e-6, $"final loss {history.EpochLosses[^1]}");
        Assert.Equal(history.StepLosses.Count, steps);
    }

    [Fact]
    public void GradCheck_over_named_arrays_in_double_and_float_names_the_worst_component()
    {
        var a = Parameter<double>.Scalar("a", 1.3);
        var k = Parameter<double>.Scalar("k", 0.4);
        double[] targets = Targets;
        int[] all = Enumerable.Range(0, times.Length).ToArray();
        BatchGradient decay = Decay(a, k, times, targets);
        GradCheckReport report = GradCheck.Check<double>([a, k], () => decay(all));
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(1e-5, report.AbsoluteTolerance);

        var af = Parameter<float>.Scalar("a", 1.3f);
        var kf = Parameter<float>.Scalar("k", 0.4f);
        float[] tf = times.Select(t => (float)t).ToArray(), yf = targets.Select(y => (float)y).ToArray();
        double LossF()
        {
            float loss = 0, da = 0, dk = 0;
            for (int i = 0; i < tf.Length; i++)
            {
                loss += DecayModel.SquaredErrorFGradient(af.Value[0], kf.Value[0], tf[i], yf[i], out float dai, out float dki);
                da += dai;
                dk += dki;
            }

            af.Gradient[0] = da / tf.Length;
            kf.Gradient[0] = dk / tf.Length;
            return loss / tf.Length;
        }

        GradCheckReport single = GradCheck.Check<float>([af, kf], LossF);
        Assert.True(single.Passed, single.ToString());
        Assert.Equal(2e-3, single.AbsoluteTolerance);

        // A wrong gradient is caught and named by array and index, with the figures.
        double Wrong()
        {
            double loss = decay(all);
            k.Gradient[0] *= 1.1;
            return loss;
        }

        GradCheckReport failed = GradCheck.Check<double>([a, k], Wrong);
        Assert.False(failed.Passed);
        Assert.Equal("k[0]", failed.WorstName);
        Assert.Contains("|error|", failed.ToString());
        Assert.Contains("allowed", failed.ToString());
    }

    [Fact]
    public void Named_parameters_and_an_optimizer_over_some_of_them_round_trip_and_resume_exactly()
    {
        double[] w = [0.5, -1, 2], dw = new double[3];
        var weights = new Parameter<double>("weights", w, dw);
        var scale = Parameter<double>.Scalar("scale", 3);
        Parameter<double>[] parameters = [weights, scale];
        var adam = new Adam<double>([scale], learningRate: 0.1); // only the scale is trained
        BatchGradient loss = _ =>
        {
            double s = scale.Value[0], sum = w.Sum();
            scale.Gradient[0] = 2 * (s * sum - 4) * sum;
            weights.Gradient.AsSpan().Fill(2 * (s * sum - 4) * s);
            return (s * sum - 4) * (s * sum - 4);
        };
        Trainer.Train(parameters, adam, 1, loss, new TrainingOptions { Epochs = 3 });
        string path = Path.Combine(folder, "own.sdm");
        ModelFile.Save(path, parameters, adam);

        // Loaded into fresh arrays (given in another order): values, optimizer and state back.
        var w2 = new Parameter<double>("weights", new double[3], new double[3]);
        var s2 = Parameter<double>.Scalar("scale", 0);
        Optimizer<double>? loaded = ModelFile.LoadInto<double>(path, [s2, w2]);
        Assert.Equal(w, w2.Value);
        Assert.Equal(scale.Value, s2.Value);
        var resumed = Assert.IsType<Adam<double>>(loaded);
        Assert.Same(s2, Assert.Single(resumed.Parameters));
        Assert.Equal(adam.Steps, resumed.Steps);
        Assert.Equal(adam.State, resumed.State);

        // A file that does not match is refused and changes nothing.
        var wrong = new Parameter<double>("weights", new double[4], new double[4]);
        var ex = Assert.Throws<InvalidDataException>(() => ModelFile.LoadInto<double>(path, [s2, wrong]));
        Assert.Contains("'weights' has 3 values", ex.Message);
        Assert.Equal(new double[4], wrong.Value);
        Assert.Throws<InvalidDataException>(() => ModelFile.Load<double>(path));

        // Names must be distinct; an optimizer over something else cannot be saved.
        Assert.Throws<ArgumentException>(() => ModelFile.Save(path, [weights, Parameter<double>.Scalar("weights", 1)]));
        Assert.Throws<ArgumentException>(() => ModelFile.Save(path, [weights], adam));
    }
}
