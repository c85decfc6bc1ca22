using System;
using System.Numerics;

namespace SymDiff.Nn;

/// <summary>How a layer's weights start; biases start at zero.</summary>
public enum Initializer
{
    /// <summary>Glorot/Xavier uniform: U(−a, a), a = √(6 / (fanIn + fanOut)). Suits tanh and sigmoid.</summary>
    XavierUniform,

    /// <summary>Glorot/Xavier normal: N(0, 2 / (fanIn + fanOut)).</summary>
    XavierNormal,

    /// <summary>He/Kaiming uniform: U(−a, a), a = √(6 / fanIn). Suits ReLU and its relatives.</summary>
    HeUniform,

    /// <summary>He/Kaiming normal: N(0, 2 / fanIn).</summary>
    HeNormal,
}

/// <summary>Fills weights according to an <see cref="Initializer"/>.</summary>
public static class WeightInit
{
    /// <summary>Fills <paramref name="weights"/> of a layer with <paramref name="fanIn"/> inputs and <paramref name="fanOut"/> outputs.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="initializer">The scheme.</param>
    /// <param name="weights">The weights to fill.</param>
    /// <param name="fanIn">Inputs of the layer.</param>
    /// <param name="fanOut">Outputs of the layer.</param>
    /// <param name="random">The seeded source.</param>
    public static void Fill<T>(Initializer initializer, Span<T> weights, int fanIn, int fanOut, SeededRandom random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double glorot = 2.0 / (fanIn + fanOut), he = 2.0 / fanIn;
        for (int i = 0; i < weights.Length; i++)
        {
            double w = initializer switch
            {
                Initializer.XavierUniform => random.NextDouble(-1, 1) * Math.Sqrt(3 * glorot),
                Initializer.XavierNormal => random.NextGaussian() * Math.Sqrt(glorot),
                Initializer.HeUniform => random.NextDouble(-1, 1) * Math.Sqrt(3 * he),
                Initializer.HeNormal => random.NextGaussian() * Math.Sqrt(he),
                _ => throw new ArgumentOutOfRangeException(nameof(initializer)),
            };
            weights[i] = T.CreateTruncating(w);
        }
    }

    /// <summary>The usual choice for an activation: He for the ReLU family, Xavier otherwise.</summary>
    /// <param name="activation">The layer's activation.</param>
    /// <returns>The initializer.</returns>
    public static Initializer For(Activation activation) => activation is Activation.Relu or Activation.LeakyRelu or Activation.Gelu or Activation.Silu
        ? Initializer.HeUniform
        : Initializer.XavierUniform;
}
