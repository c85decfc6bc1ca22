using System;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using SymDiff.Nn;

// Prints the hardware this process sees, then one line per training run: its name and the
// SHA-256 of every weight after training. ReproducibilityTests runs this under several
// DOTNET_* settings and thread counts (the first argument, if any) and requires the same hashes
// from all of them.
if (args.Length > 0)
{
    Parallelism.MaxThreads = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
}

Console.WriteLine($"hardware vector128={Vector128.IsHardwareAccelerated} vector256={Vector256.IsHardwareAccelerated} vector512={Vector512.IsHardwareAccelerated} vectorT={Vector<byte>.Count} fma={System.Runtime.Intrinsics.X86.Fma.IsSupported} threads={Parallelism.MaxThreads}");
Console.WriteLine($"float {Run<float>()}");
Console.WriteLine($"double {Run<double>()}");
return 0;

// Sizes chosen so every product has full and edge tiles for both vector widths, a hidden layer
// wider than one thread's share, and a bias sum with a tail; Adam with clipping by the global
// norm exercises the optimizer's vector loops and the norm's sum.
static string Run<T>()
    where T : unmanaged, IFloatingPointIeee754<T>
{
    int[] sizes = [77, 131, 19, 10];
    var model = Mlp<T>.Create(sizes, Activation.Tanh, Activation.Identity, seed: 7);
    var optimizer = new Adam<T>(model.Parameters, learningRate: 0.01);
    const int Count = 203;
    var random = new SeededRandom(11);
    var inputs = new T[Count * sizes[0]];
    var targets = new T[Count * sizes[^1]];
    for (int i = 0; i < inputs.Length; i++)
    {
        inputs[i] = T.CreateTruncating(random.NextDouble() * 2 - 1);
    }

    for (int i = 0; i < Count; i++)
    {
        targets[(i * sizes[^1]) + (i % sizes[^1])] = T.One;
    }

    Trainer.Train(model, optimizer, inputs, targets, Count, new TrainingOptions
    {
        Epochs = 4,
        BatchSize = 37,
        Loss = Loss.SoftmaxCrossEntropy,
        ClipNorm = 0.5,
    });

    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    foreach (Parameter<T> p in model.Parameters)
    {
        hash.AppendData(MemoryMarshal.AsBytes<T>(p.Value));
    }

    return Convert.ToHexString(hash.GetHashAndReset());
}
