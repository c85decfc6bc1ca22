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
[Collection(nameof(ThreadLimit))]
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
    public void LargeParametersAreUpdatedInSlicesThatCoverEveryElementOnce()
    {
        using var limit = ThreadLimit.Set(2);
        var recorder = new Recording([Large()]);
        recorder.Step();
        var slices = recorder.Slices.OrderBy(s => s.Start).ToArray();

        // Slices of 4096 elements (16 KB of float, whole cache lines) and a ragged last one,
        // each element in exactly one of them.
        Assert.Equal(49, slices.Length);
        Assert.Equal(0, slices[0].Start);
        Assert.Equal(200_000, slices[^1].End);
        for (int i = 1; i < slices.Length; i++)
        {
            Assert.Equal(slices[i - 1].End, slices[i].Start);
            Assert.Equal(4096, slices[i - 1].End - slices[i - 1].Start);
        }
    }

    [Fact]
    public void OneThreadUpdatesAParameterInOneSlice()
    {
        using var limit = ThreadLimit.Set(1);
        var recorder = new Recording([Large()]);
        recorder.Step();
        Assert.Equal([(0, 200_000)], recorder.Slices.Select(s => (s.Start, s.End)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AnEmptyParameterIsUpdatedWithoutASlice(int threads)
    {
        using var limit = ThreadLimit.Set(threads);
        var recorder = new Recording([new Parameter<float>("empty", 1, [], [])]);
        recorder.Step();
        Assert.Empty(recorder.Slices);
    }

    [Fact]
    public void AFasterThreadTakesOverTheSlicesOfASlowerOne()
    {
        // Every slice on the helper takes 5 ms, on the caller none: with even halves the caller
        // would wait about 125 ms. It takes slices from the back of the helper's half instead.
        using var limit = ThreadLimit.Set(2);
        var recorder = new Recording([Large()]) { SlowOnHelper = true };
        recorder.Step();
        var slices = recorder.Slices.OrderBy(s => s.Start).ToArray();

        Assert.Equal(49, slices.Length);
        Assert.Equal(200_000, slices.Sum(s => s.End - s.Start));
        int caller = Environment.CurrentManagedThreadId;
        Assert.Contains(slices, s => s.Thread == caller && s.Start >= 100_000);

        // The caller starts at the front of its own half and goes on from the back of the other.
        Assert.Equal(caller, slices[0].Thread);
        Assert.Equal(caller, slices[^1].Thread);
    }

    [Fact]
    public void AFailureOnAHelperThreadReachesTheCaller()
    {
        using var limit = ThreadLimit.Set(2);
        var parameter = Large();
        var failing = new Recording([parameter]) { FailOnHelper = true };
        var error = Assert.Throws<InvalidOperationException>(failing.Step);
        Assert.Contains("on a helper thread", error.Message);

        // The helpers survive the failure: the next step runs normally.
        AssertAWholeStepRuns(parameter);
    }

    [Fact]
    public void AFailureEndsTheJobButStillWaitsForTheSliceUnderWay()
    {
        using var limit = ThreadLimit.Set(2);
        var parameter = Large();

        // The caller's first slice fails at once while the helper's first slice is still running.
        var failing = new Recording([parameter]) { FailFirstSlice = true, SlowOtherSlices = true };
        Assert.Throws<InvalidOperationException>(failing.Step);

        // No thread took a slice after the failure (without that, the helper would have done all
        // 48 others, 100 ms each): at most the one it had started, which finished before the
        // caller returned, since the pool is free only once the helper is done and the next
        // step must get it.
        Assert.InRange(failing.Slices.Count, 0, 2);
        Assert.All(failing.Slices, s => Assert.True(s.Start > 0));
        AssertAWholeStepRuns(parameter);
    }

    [Fact]
    public void ParallelWorkInsideASliceRunsOnItsOwnThread()
    {
        // Each slice of the update multiplies a large product; the slices already hold the
        // helper threads, so the products must run alone, and still be right.
        using var limit = ThreadLimit.Set(2);
        var nested = new Nested([Large()]);
        nested.Step();

        Assert.Equal(49, nested.Products.Count);
        Assert.All(nested.Products, product => Assert.Equal(nested.Expected, product));
    }

    // A parameter large enough to be shared between two threads.
    private static Parameter<float> Large() => new("w", 1, new float[200_000], new float[200_000]);

    // After a failure the pool is free and whole: the next step updates every element.
    private static void AssertAWholeStepRuns(Parameter<float> parameter)
    {
        var healthy = new Recording([parameter]);
        healthy.Step();
        Assert.Equal(200_000, healthy.Slices.Sum(s => s.End - s.Start));
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
        private readonly int caller = Environment.CurrentManagedThreadId;

        public ConcurrentBag<(int Start, int End, int Thread)> Slices { get; } = [];

        private volatile bool helperStarted;
        private bool callerWaited;

        // Fails every slice on a helper thread; the caller's slices wait for the helper's
        // first, so the helper is sure to get one before the caller has taken them all.
        public bool FailOnHelper { get; init; }

        // The first slice runs on the caller's thread.
        public bool FailFirstSlice { get; init; }

        public bool SlowOtherSlices { get; init; }

        public bool SlowOnHelper { get; init; }

        public override string Name => "recording";

        public override IReadOnlyList<double> Settings => [];

        protected override void Update(Parameter<float> parameter, int firstBuffer, int start, int end)
        {
            bool onHelper = Environment.CurrentManagedThreadId != caller;
            if (FailFirstSlice && start == 0)
            {
                throw new InvalidOperationException("the first slice failed");
            }

            if (SlowOtherSlices && start > 0)
            {
                Thread.Sleep(100);
            }

            if (SlowOnHelper && onHelper)
            {
                Thread.Sleep(5);
            }

            if (FailOnHelper)
            {
                if (onHelper)
                {
                    helperStarted = true;
                    throw new InvalidOperationException($"slice {start}..{end} failed on a helper thread");
                }

                // In its first slice the caller waits for the helper to start one (if no helper
                // comes in ten seconds, the caller takes them all and the test fails).
                if (!callerWaited)
                {
                    callerWaited = true;
                    SpinWait.SpinUntil(() => helperStarted, TimeSpan.FromSeconds(10));
                }
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
