using System;
using SymDiff;

namespace TwoLayer;

/// <summary>The 3-2-2 network as one differentiable method: the generator writes its whole backward pass.</summary>
public static partial class Network
{
    /// <summary>
    /// ReLU hidden layer, identity outputs, squared error summed over the two outputs.
    /// W1 is 2×3 and W2 is 2×2, row-major (row = the neuron the weights feed).
    /// </summary>
    /// <remarks><c>Trace = true</c> also generates LossTrace: the forward and backward pass step by step with their numbers (<c>--explain</c>, <c>--html</c>).</remarks>
    [Differentiable(nameof(W1), nameof(b1), nameof(W2), nameof(b2), Trace = true)]
    public static double Loss(double[] W1, double[] b1, double[] W2, double[] b2, double[] x, double[] y)
    {
        double z10 = W1[0] * x[0] + W1[1] * x[1] + W1[2] * x[2] + b1[0];
        double z11 = W1[3] * x[0] + W1[4] * x[1] + W1[5] * x[2] + b1[1];
        double a10 = Math.Max(0, z10);
        double a11 = Math.Max(0, z11);
        double out0 = W2[0] * a10 + W2[1] * a11 + b2[0];
        double out1 = W2[2] * a10 + W2[3] * a11 + b2[1];
        double e0 = out0 - y[0];
        double e1 = out1 - y[1];
        return e0 * e0 + e1 * e1;
    }
}
