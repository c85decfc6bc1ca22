using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.InteropServices;

namespace SymDiff.Nn;

/// <summary>
/// Updates parameters from their gradients. State (velocities, moments) is kept per parameter
/// and exposed through <see cref="State"/> so that a saved model resumes training exactly.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<T[]> state = new();
    private Slices? slices;
    private double learningRateValue;

    /// <summary>Creates the optimizer for <paramref name="parameters"/> with <paramref name="buffersPerParameter"/> state arrays each.</summary>
    /// <param name="parameters">What it updates.</param>
    /// <param name="learningRate">The base learning rate.</param>
    /// <param name="weightDecay">The weight-decay coefficient λ.</param>
    /// <param name="buffersPerParameter">State arrays per parameter.</param>
    protected Optimizer(IReadOnlyList<Parameter<T>> parameters, double learningRate, double weightDecay, int buffersPerParameter)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Require.AtLeastZero(learningRate, nameof(learningRate));
        Require.AtLeastZero(weightDecay, nameof(weightDecay));
        for (int i = 0; i < parameters.Count; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (ReferenceEquals(parameters[i].Value, parameters[j].Value))
                {
                    throw new ArgumentException($"The parameter '{parameters[i].Name}' is listed twice: an optimizer updates each parameter once.", nameof(parameters));
                }
            }
        }

        Parameters = parameters;
        learningRateValue = learningRate;
        WeightDecay = weightDecay;
        foreach (Parameter<T> p in parameters)
        {
            for (int b = 0; b < buffersPerParameter; b++)
            {
                state.Add(new T[p.Value.Length]);
            }
        }
    }

    /// <summary>A short name (<c>sgd</c>, <c>adam</c>, …), stored in model files.</summary>
    public abstract string Name { get; }

    /// <summary>The parameters updated.</summary>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>The learning rate of the next step; a schedule may change it between steps.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or NaN.</exception>
    public double LearningRate
    {
        get => learningRateValue;
        set => learningRateValue = Require.AtLeastZero(value, nameof(LearningRate));
    }

    /// <summary>The weight-decay coefficient λ (0 for none).</summary>
    public double WeightDecay { get; }

    /// <summary>Steps taken so far.</summary>
    public long Steps { get; set; }

    /// <summary>The state arrays, in parameter order; saved and restored with the model.</summary>
    public IReadOnlyList<T[]> State => state;

    /// <summary>The hyper-parameters that define the update rule, for model files.</summary>
    public abstract IReadOnlyList<double> Settings { get; }

    /// <summary>Applies one update to every parameter.</summary>
    public void Step()
    {
        StartStep();
        for (int i = 0; i < Parameters.Count; i++)
        {
            UpdateWhole(i);
        }
    }

    // Where each parameter this optimizer updates stands in `parameters` (matched by array, not
    // by name), for the callers that update or save them in that list's order.
    internal int[] PositionsIn(IReadOnlyList<Parameter<T>> parameters, string whose, string why)
    {
        var positions = new int[Parameters.Count];
        for (int i = 0; i < positions.Length; i++)
        {
            positions[i] = -1;
            for (int p = 0; p < parameters.Count && positions[i] < 0; p++)
            {
                positions[i] = ReferenceEquals(parameters[p].Value, Parameters[i].Value) ? p : -1;
            }

            if (positions[i] < 0)
            {
                throw new ArgumentException($"The optimizer's parameter '{Parameters[i].Name}' is not one of {whose}: {why}.", "optimizer");
            }
        }

        return positions;
    }

    // A step taken parameter by parameter, as each gradient is ready (Mlp.TrainStep): StartStep,
    // then UpdateWhole or UpdateRange on every element of every parameter exactly once, gives
    // the same parameters and state as Step.
    internal void StartStep() => Steps++;

    // Parameter `index` updated whole: a large one cut into slices that threads share (a small
    // one is one slice, on this thread); each element's update is independent.
    internal void UpdateWhole(int index)
    {
        Parameter<T> parameter = Parameters[index];
        int length = parameter.Value.Length, threads = Workers.Parts(length, 64 * 1024);
        slices ??= new Slices(this);
        slices.Parameter = parameter;
        slices.FirstBuffer = index * BuffersPerParameter;
        slices.Size = threads == 1 ? Math.Max(1, length) : Slices.Grain;
        Workers.Run(slices, (length + slices.Size - 1) / slices.Size, threads);
        slices.Parameter = null;
    }

    // Elements [start, end) of parameter `index`, on this thread.
    internal void UpdateRange(int index, int start, int end) => Update(Parameters[index], index * BuffersPerParameter, start, end);

    private int BuffersPerParameter => Parameters.Count == 0 ? 0 : state.Count / Parameters.Count;

    /// <summary>
    /// Updates elements <paramref name="start"/> to <paramref name="end"/> (exclusive) of one
    /// parameter; its state arrays start at <c>State[firstBuffer]</c>. Large parameters are
    /// updated in slices on several threads, so the rule must treat elements independently.
    /// </summary>
    /// <param name="parameter">The parameter.</param>
    /// <param name="firstBuffer">Index of its first state array.</param>
    /// <param name="start">The first element to update.</param>
    /// <param name="end">One past the last element to update.</param>
    protected abstract void Update(Parameter<T> parameter, int firstBuffer, int start, int end);

    /// <summary>The state array at <paramref name="index"/>.</summary>
    /// <param name="index">The index.</param>
    /// <returns>The array.</returns>
    protected T[] Buffer(int index) => state[index];

    // One parameter's update cut into slices of whole cache lines.
    private sealed class Slices(Optimizer<T> optimizer) : IParallelWork
    {
        // Elements per slice when threads share a parameter: 16 KB of float.
        public const int Grain = 4096;

        public Parameter<T>? Parameter { get; set; }

        public int FirstBuffer { get; set; }

        public int Size { get; set; } = Grain;

        public void Execute(int chunk)
        {
            int start = chunk * Size;
            optimizer.Update(Parameter!, FirstBuffer, start, Math.Min(Parameter!.Value.Length, start + Size));
        }
    }
}

/// <summary>
/// Stochastic gradient descent, with optional momentum μ (heavy ball, or Nesterov) and L2 weight
/// decay, as in PyTorch's <c>torch.optim.SGD</c>: g ← ∇ + λθ; v ← μv + g (v = g on the first
/// step); θ ← θ − η·(Nesterov ? g + μv : v), or θ ← θ − η·g without momentum.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Sgd<T> : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">What it updates.</param>
    /// <param name="learningRate">η.</param>
    /// <param name="momentum">μ, 0 for plain SGD.</param>
    /// <param name="nesterov">Use Nesterov momentum.</param>
    /// <param name="weightDecay">λ.</param>
    public Sgd(IReadOnlyList<Parameter<T>> parameters, double learningRate, double momentum = 0, bool nesterov = false, double weightDecay = 0)
        : base(parameters, learningRate, weightDecay, Require.AtLeastZero(momentum, nameof(momentum)) > 0 ? 1 : 0)
    {
        if (nesterov && momentum == 0)
        {
            throw new ArgumentException("Nesterov momentum needs a momentum above 0 (as in torch.optim.SGD).", nameof(nesterov));
        }

        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <summary>μ.</summary>
    public double Momentum { get; }

    /// <summary>Whether the step looks ahead along the velocity.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    public override string Name => Nesterov ? "nesterov" : Momentum > 0 ? "momentum" : "sgd";

    /// <inheritdoc/>
    public override IReadOnlyList<double> Settings => [LearningRate, Momentum, Nesterov ? 1 : 0, WeightDecay];

    /// <inheritdoc/>
    protected override void Update(Parameter<T> parameter, int firstBuffer, int start, int end)
    {
        T lr = T.CreateTruncating(LearningRate), mu = T.CreateTruncating(Momentum), wd = T.CreateTruncating(WeightDecay);
        Span<T> theta = parameter.Value.AsSpan(start, end - start), grad = parameter.Gradient.AsSpan(start, end - start);
        Span<T> v = Momentum > 0 ? Buffer(firstBuffer).AsSpan(start, end - start) : default;
        bool first = Steps == 1;
        int i = 0;

        // The same rule, Vector<T>.Count elements at a time (the scalar loop below finishes the
        // tail), through refs: with a span slice per load and store (a bounds check and a span
        // each) the loop ran at about two thirds of this speed once the data fit in cache (the
        // 200 k weights of 784-256-10: 24 µs → 17 µs per step on one thread).
        if (Vector.IsHardwareAccelerated)
        {
            var vLr = new Vector<T>(lr);
            var vMu = new Vector<T>(mu);
            var vWd = new Vector<T>(wd);
            ref T t0 = ref MemoryMarshal.GetReference(theta);
            ref T g0 = ref MemoryMarshal.GetReference(grad);
            ref T v0 = ref MemoryMarshal.GetReference(v);
            bool momentum = !v.IsEmpty;
            for (; i <= theta.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var t = Vector.LoadUnsafe(ref t0, (nuint)i);
                Vector<T> g = Vector.LoadUnsafe(ref g0, (nuint)i) + vWd * t;
                if (momentum)
                {
                    Vector<T> velocity = first ? g : vMu * Vector.LoadUnsafe(ref v0, (nuint)i) + g;
                    velocity.StoreUnsafe(ref v0, (nuint)i);
                    g = Nesterov ? g + vMu * velocity : velocity;
                }

                (t - vLr * g).StoreUnsafe(ref t0, (nuint)i);
            }
        }

        for (; i < theta.Length; i++)
        {
            T g = grad[i] + wd * theta[i];
            if (!v.IsEmpty)
            {
                v[i] = first ? g : mu * v[i] + g;
                g = Nesterov ? g + mu * v[i] : v[i];
            }

            theta[i] -= lr * g;
        }
    }
}

/// <summary>
/// RMSProp (PyTorch's form): g ← ∇ + λθ; s ← αs + (1 − α)g²; θ ← θ − η·g / (√s + ε).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class RmsProp<T> : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">What it updates.</param>
    /// <param name="learningRate">η.</param>
    /// <param name="alpha">α, the decay of the squared-gradient average.</param>
    /// <param name="epsilon">ε.</param>
    /// <param name="weightDecay">λ.</param>
    public RmsProp(IReadOnlyList<Parameter<T>> parameters, double learningRate = 0.01, double alpha = 0.99, double epsilon = 1e-8, double weightDecay = 0)
        : base(parameters, learningRate, weightDecay, 1)
    {
        Alpha = Require.Fraction(alpha, nameof(alpha), includingOne: true);
        Epsilon = Require.AtLeastZero(epsilon, nameof(epsilon));
    }

    /// <summary>α.</summary>
    public double Alpha { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    public override string Name => "rmsprop";

    /// <inheritdoc/>
    public override IReadOnlyList<double> Settings => [LearningRate, Alpha, Epsilon, WeightDecay];

    /// <inheritdoc/>
    protected override void Update(Parameter<T> parameter, int firstBuffer, int start, int end)
    {
        T lr = T.CreateTruncating(LearningRate), alpha = T.CreateTruncating(Alpha), eps = T.CreateTruncating(Epsilon), wd = T.CreateTruncating(WeightDecay);
        T[] theta = parameter.Value, grad = parameter.Gradient, s = Buffer(firstBuffer);
        for (int i = start; i < end; i++)
        {
            T g = grad[i] + wd * theta[i];
            s[i] = alpha * s[i] + (T.One - alpha) * g * g;
            theta[i] -= lr * g / (T.Sqrt(s[i]) + eps);
        }
    }
}

/// <summary>
/// Adam (Kingma and Ba), and AdamW (Loshchilov and Hutter) when <c>decoupled</c>:
/// m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; θ ← θ − η·m̂ / (√v̂ + ε) with m̂ = m / (1 − β₁ᵗ),
/// v̂ = v / (1 − β₂ᵗ). Weight decay enters Adam's gradient (g ← ∇ + λθ) but AdamW's step
/// (θ ← θ − ηλθ first), as in PyTorch's <c>Adam</c> and <c>AdamW</c>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Adam<T> : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">What it updates.</param>
    /// <param name="learningRate">η.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="epsilon">ε.</param>
    /// <param name="weightDecay">λ.</param>
    /// <param name="decoupled">AdamW: decay the weights directly instead of through the gradient.</param>
    public Adam(IReadOnlyList<Parameter<T>> parameters, double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0, bool decoupled = false)
        : base(parameters, learningRate, weightDecay, 2)
    {
        Beta1 = Require.Fraction(beta1, nameof(beta1), includingOne: false);
        Beta2 = Require.Fraction(beta2, nameof(beta2), includingOne: false);
        Epsilon = Require.AtLeastZero(epsilon, nameof(epsilon));
        Decoupled = decoupled;
    }

    /// <summary>β₁.</summary>
    public double Beta1 { get; }

    /// <summary>β₂.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>Whether this is AdamW.</summary>
    public bool Decoupled { get; }

    /// <inheritdoc/>
    public override string Name => Decoupled ? "adamw" : "adam";

    /// <inheritdoc/>
    public override IReadOnlyList<double> Settings => [LearningRate, Beta1, Beta2, Epsilon, WeightDecay];

    /// <inheritdoc/>
    protected override void Update(Parameter<T> parameter, int firstBuffer, int start, int end)
    {
        double c1 = 1 - Math.Pow(Beta1, Steps), c2 = 1 - Math.Pow(Beta2, Steps);
        T lr = T.CreateTruncating(LearningRate), b1 = T.CreateTruncating(Beta1), b2 = T.CreateTruncating(Beta2);
        T eps = T.CreateTruncating(Epsilon), wd = T.CreateTruncating(WeightDecay);
        T bias1 = T.CreateTruncating(c1), bias2 = T.CreateTruncating(c2);
        T[] theta = parameter.Value, grad = parameter.Gradient, m = Buffer(firstBuffer), v = Buffer(firstBuffer + 1);
        for (int i = start; i < end; i++)
        {
            T g = grad[i];
            if (Decoupled)
            {
                theta[i] -= lr * wd * theta[i];
            }
            else
            {
                g += wd * theta[i];
            }

            m[i] = b1 * m[i] + (T.One - b1) * g;
            v[i] = b2 * v[i] + (T.One - b2) * g * g;
            theta[i] -= lr * (m[i] / bias1) / (T.Sqrt(v[i] / bias2) + eps);
        }
    }
}

/// <summary>Gradient clipping, applied between the backward pass and the optimizer step.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient by max / ‖g‖ when the global norm ‖g‖ (over all parameters) exceeds
    /// <paramref name="maxNorm"/> (PyTorch's <c>clip_grad_norm_</c>, with its 1e-6 guard).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="parameters">The parameters.</param>
    /// <param name="maxNorm">The largest norm allowed.</param>
    /// <returns>The norm before clipping.</returns>
    public static double ByGlobalNorm<T>(IReadOnlyList<Parameter<T>> parameters, double maxNorm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Require.AboveZero(maxNorm, nameof(maxNorm));
        double sum = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            sum += Vectors.SumOfSquares<T>(parameters[i].Gradient);
        }

        double norm = Math.Sqrt(sum);
        if (norm > maxNorm)
        {
            T scale = T.CreateTruncating(maxNorm / (norm + 1e-6));
            for (int k = 0; k < parameters.Count; k++)
            {
                T[] gradient = parameters[k].Gradient;
                for (int i = 0; i < gradient.Length; i++)
                {
                    gradient[i] *= scale;
                }
            }
        }

        return norm;
    }

    /// <summary>Clamps every gradient component into [−<paramref name="limit"/>, <paramref name="limit"/>].</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="parameters">The parameters.</param>
    /// <param name="limit">The bound, positive.</param>
    public static void ByValue<T>(IReadOnlyList<Parameter<T>> parameters, double limit)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Require.AboveZero(limit, nameof(limit));
        T hi = T.CreateTruncating(limit), lo = -hi;
        for (int k = 0; k < parameters.Count; k++)
        {
            T[] gradient = parameters[k].Gradient;
            for (int i = 0; i < gradient.Length; i++)
            {
                gradient[i] = T.Clamp(gradient[i], lo, hi);
            }
        }
    }
}

/// <summary>A learning rate as a function of the epoch (0-based).</summary>
public abstract record LearningRateSchedule
{
    /// <summary>The rate for <paramref name="epoch"/>.</summary>
    /// <param name="epoch">The epoch, from 0.</param>
    /// <returns>The learning rate.</returns>
    public abstract double Rate(int epoch);

    /// <summary>η at every epoch.</summary>
    /// <param name="Initial">η.</param>
    public sealed record Constant(double Initial) : LearningRateSchedule
    {
        /// <summary>η.</summary>
        public double Initial { get; init; } = Require.AtLeastZero(Initial, nameof(Initial));

        /// <inheritdoc/>
        public override double Rate(int epoch) => Initial;
    }

    /// <summary>η·γ^⌊epoch / every⌋ (PyTorch's <c>StepLR</c>).</summary>
    /// <param name="Initial">η.</param>
    /// <param name="Every">Epochs between decays.</param>
    /// <param name="Gamma">γ, the decay factor.</param>
    public sealed record Step(double Initial, int Every, double Gamma) : LearningRateSchedule
    {
        /// <summary>η.</summary>
        public double Initial { get; init; } = Require.AtLeastZero(Initial, nameof(Initial));

        /// <summary>Epochs between decays, at least 1.</summary>
        public int Every { get; init; } = Require.AtLeast(Every, 1, nameof(Every));

        /// <summary>γ.</summary>
        public double Gamma { get; init; } = Require.AtLeastZero(Gamma, nameof(Gamma));

        /// <inheritdoc/>
        public override double Rate(int epoch) => Initial * Math.Pow(Gamma, epoch / Every);
    }

    /// <summary>η_min + ½(η − η_min)(1 + cos(π·epoch / T)) (PyTorch's <c>CosineAnnealingLR</c>, without restarts).</summary>
    /// <param name="Initial">η.</param>
    /// <param name="Epochs">T, the epochs to anneal over.</param>
    /// <param name="Minimum">η_min.</param>
    public sealed record Cosine(double Initial, int Epochs, double Minimum = 0) : LearningRateSchedule
    {
        /// <summary>η.</summary>
        public double Initial { get; init; } = Require.AtLeastZero(Initial, nameof(Initial));

        /// <summary>T, at least 1.</summary>
        public int Epochs { get; init; } = Require.AtLeast(Epochs, 1, nameof(Epochs));

        /// <summary>η_min.</summary>
        public double Minimum { get; init; } = Require.AtLeastZero(Minimum, nameof(Minimum));

        /// <inheritdoc/>
        public override double Rate(int epoch) =>
            Minimum + 0.5 * (Initial - Minimum) * (1 + Math.Cos(Math.PI * Math.Min(epoch, Epochs) / Epochs));
    }
}
