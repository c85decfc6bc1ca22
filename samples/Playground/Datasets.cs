using System;
using SymDiff.Nn;

namespace Playground;

/// <summary>A dataset: inputs and targets row-major, and whether it is a 2-D classification problem.</summary>
internal sealed record Dataset(string Name, double[] Inputs, double[] Targets, int Count, int InputWidth, bool Classification);

/// <summary>The built-in synthetic datasets, generated from a seed (no downloads).</summary>
internal static class Datasets
{
    public static readonly string[] Names = ["xor", "moons", "spirals", "sine"];

    public static Dataset Create(string name, int count, ulong seed)
    {
        var random = new SeededRandom(seed);
        var x = new double[count * (name == "sine" ? 1 : 2)];
        var y = new double[count];
        for (int i = 0; i < count; i++)
        {
            switch (name)
            {
                case "xor":
                    {
                        // Points in the four quadrants; the label is 1 where x·y < 0.
                        double a = random.NextDouble(-1, 1), b = random.NextDouble(-1, 1);
                        x[2 * i] = a;
                        x[2 * i + 1] = b;
                        y[i] = a * b < 0 ? 1 : 0;
                        break;
                    }

                case "moons":
                    {
                        int label = i % 2;
                        double t = Math.PI * random.NextDouble();
                        x[2 * i] = (label == 0 ? Math.Cos(t) : 1 - Math.Cos(t)) - 0.5 + 0.1 * random.NextGaussian();
                        x[2 * i + 1] = (label == 0 ? Math.Sin(t) : 0.5 - Math.Sin(t)) - 0.25 + 0.1 * random.NextGaussian();
                        y[i] = label;
                        break;
                    }

                case "spirals":
                    {
                        int label = i % 2;
                        double r = random.NextDouble();
                        double angle = 3 * Math.PI * r + label * Math.PI;
                        x[2 * i] = r * Math.Cos(angle) + 0.03 * random.NextGaussian();
                        x[2 * i + 1] = r * Math.Sin(angle) + 0.03 * random.NextGaussian();
                        y[i] = label;
                        break;
                    }

                case "sine":
                    {
                        double t = random.NextDouble(-Math.PI, Math.PI);
                        x[i] = t;
                        y[i] = Math.Sin(t) + 0.05 * random.NextGaussian();
                        break;
                    }

                default:
                    throw new ArgumentException($"Unknown dataset '{name}'; choose one of {string.Join(", ", Names)}.");
            }
        }

        return new Dataset(name, x, y, count, name == "sine" ? 1 : 2, name != "sine");
    }
}
