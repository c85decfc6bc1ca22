using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using SymDiff.Nn;

namespace SymDiff.Tests;

/// <summary>
/// Threads split work into independent parts, so two threads must train bit-identically to one,
/// and a failure on a helper thread must reach the caller.
/// </summary>
public class ParallelismTests
{
    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void TwoThreadsTrainBitIdenticallyToOne(string optimizer)
    {
        // Large enough that every parallel path engages at two threads: the first layer's GEMMs
        // (64·512·300 multiply-adds), its element-wise passes (64·512 values) and the optimizer's
        // update of its 153,600 weights.
        float[][] one = Train(1, optimizer), two = Train(2, optimizer);
        for (int i = 0; i < one.Length; i++)
        {
            Assert.Equal(one[i], two[i]);
        }
    }

    [Fact]
    public void LargeParametersAreUpdatedInContiguousSlices()
    {
        using var limit = ThreadLimit.Set(2);
        var recorder = new Recording([new Parameter<float>("w", 1, new float[200_000], new float[200_000])]);
        recorder.Step();
        var slices = recorder.Slices.OrderBy(s => s.Start).ToArray();

        // Two contiguous slices covering every element once (one slice, on the caller's
        // thread, if another test holds the helper at that moment).
        Assert.InRange(slices.Length, 1, 2);
        Assert.Equal(0, slices[0].Start);
        Assert.Equal(200_000, slices[^1].End);
        for (int i = 1; i < slices.Length; i++)
        {
            Assert.Equal(slices[i - 1].End, slices[i].Start);
        }
    }

    [Fact]
    public void AFailureOnAHelperThreadReachesTheCaller()
    {
        using var limit = ThreadLimit.Set(2);
        var parameter = new Parameter<float>("w", 1, new float[200_000], new float[200_000]);
        var failing = new Recording([parameter]) { FailWithLastElement = true };
        var error = Assert.Throws<InvalidOperationException>(failing.Step);
        Assert.Contains("slice", error.Message);

        // The helpers survive the failure: the next step runs normally.
        var healthy = new Recording([parameter]);
        healthy.Step();
        Assert.Equal(200_000, healthy.Slices.Sum(s => s.End - s.Start));
    }

    [Fact]
    public void AFailureOnTheCallersPartStillWaitsForTheHelpers()
    {
        using var limit = ThreadLimit.Set(2);
        var parameter = new Parameter<float>("w", 1, new float[200_000], new float[200_000]);

        // The caller's slice fails at once while the helper's slice is still running.
        var failing = new Recording([parameter]) { FailFirstSlice = true, SlowOtherSlices = true };
        Assert.Throws<InvalidOperationException>(failing.Step);

        // The pool is free again only once the helper is done: the next step must get it.
        var healthy = new Recording([parameter]);
        healthy.Step();
        Assert.Equal(200_000, healthy.Slices.Sum(s => s.End - s.Start));
        Assert.Equal(failing.Slices.Count, failing.Slices.Count(s => s.Start > 0));
    }

    [Fact]
    public void ParallelWorkInsideAPartRunsOnItsOwnThread()
    {
        // Each slice of the update multiplies a large product; the slices already hold the
        // helper threads, so the products must run alone, and still be right.
        using var limit = ThreadLimit.Set(2);
        var nested = new Nested([new Parameter<float>("w", 1, new float[200_000], new float[200_000])]);
        nested.Step();

        // Two slices (one, if another test holds the helper at that moment).
        Assert.InRange(nested.Products.Count, 1, 2);
        Assert.All(nested.Products, product => Assert.Equal(nested.Expected, product));
    }

    private static float[][] Train(int threads, string optimizer)
    {
        using var limit = ThreadLimit.Set(threads);
        const int batch = 64;
        var mlp = Mlp<float>.Create([300, 512, 10], Activation.Relu, Activation.Identity, seed: 7);
        Optimizer<float> step = optimizer == "sgd"
            ? new Sgd<float>(mlp.Parameters, 0.01, momentum: 0.9)
            : new Adam<float>(mlp.Parameters, 0.001);
        var random = new SeededRandom(3);
        float[] x = Enumerable.Range(0, batch * 300).Select(_ => (float)random.NextDouble(-1, 1)).ToArray();
        float[] y = Enumerable.Range(0, batch * 10).Select(_ => (float)random.NextDouble(-1, 1)).ToArray();
        for (int i = 0; i < 3; i++)
        {
            mlp.ComputeGradients(x, y, batch, Loss.MeanSquaredError);
            step.Step();
        }

        return mlp.Parameters.Select(p => (float[])p.Value.Clone()).ToArray();
    }

    // An optimizer that records the slices it is asked to update (and can fail on one).
    private sealed class Recording(IReadOnlyList<Parameter<float>> parameters) : Optimizer<float>(parameters, 0.1, 0, 0)
    {
        public ConcurrentBag<(int Start, int End, int Thread)> Slices { get; } = [];

        // The last slice runs on a helper thread when there is one.
        public bool FailWithLastElement { get; init; }

        // The first slice runs on the caller's thread.
        public bool FailFirstSlice { get; init; }

        public bool SlowOtherSlices { get; init; }

        public override string Name => "recording";

        public override IReadOnlyList<double> Settings => [];

        protected override void Update(Parameter<float> parameter, int firstBuffer, int start, int end)
        {
            if (FailFirstSlice && start == 0)
            {
                throw new InvalidOperationException("the first slice failed");
            }

            if (SlowOtherSlices && start > 0)
            {
                Thread.Sleep(100);
            }

            if (FailWithLastElement && end == parameter.Value.Length)
            {
                throw new InvalidOperationException($"slice {start}..{end} failed");
            }

            Slices.Add((start, end, Environment.CurrentManagedThreadId));
        }
    }

    // An optimizer whose every slice computes the same 64×256·256×256 product.
    private sealed class Nested(IReadOnlyList<Parameter<float>> parameters) : Optimizer<float>(parameters, 0.1, 0, 0)
    {
        private const int M = 64, N = 256, K = 256;
        private readonly float[] a = Numerical.Uniform(1, M * K, -1, 1).Select(v => (float)v).ToArray();
        private readonly float[] b = Numerical.Uniform(2, K * N, -1, 1).Select(v => (float)v).ToArray();

        public ConcurrentBag<float[]> Products { get; } = [];

        public float[] Expected
        {
            get
            {
                using var limit = ThreadLimit.Set(1);
                var c = new float[M * N];
                Gemm.Multiply(M, N, K, a, Layout.RowMajor(K), b, Layout.RowMajor(N), c, accumulate: false);
                return c;
            }
        }

        public override string Name => "nested";

        public override IReadOnlyList<double> Settings => [];

        protected override void Update(Parameter<float> parameter, int firstBuffer, int start, int end)
        {
            var c = new float[M * N];
            Gemm.Multiply(M, N, K, a, Layout.RowMajor(K), b, Layout.RowMajor(N), c, accumulate: false);
            Products.Add(c);
        }
    }
}
