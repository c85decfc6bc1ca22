using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace SymDiff.Nn;

/// <summary>
/// Saves and loads an <see cref="Mlp{T}"/> with its optimizer state.
/// </summary>
/// <remarks>
/// Format, version 1, little-endian: the magic <c>SYMDIFF1</c>; the version (int32); the element
/// size (4 for float, 8 for double); the layer count and the sizes; one activation per layer;
/// every layer's weights then biases as raw values; the optimizer's name, settings, step count
/// and state arrays (length-prefixed); finally a CRC-32 of everything before it. A file is
/// written to a temporary name in the same folder and then renamed over the target, so a crash
/// mid-save leaves the previous file intact. Loading checks the magic, the version, the element
/// type, every length and the checksum before building anything, and throws
/// <see cref="InvalidDataException"/> naming what is wrong.
/// </remarks>
public static class ModelFile
{
    /// <summary>The format version this library writes.</summary>
    public const int Version = 1;

    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("SYMDIFF1");

    /// <summary>Writes <paramref name="model"/> (and <paramref name="optimizer"/>'s state) to <paramref name="path"/> atomically.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The file.</param>
    /// <param name="model">The network.</param>
    /// <param name="optimizer">The optimizer, or null.</param>
    public static void Save<T>(string path, Mlp<T> model, Optimizer<T>? optimizer = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write(Marshal.SizeOf<T>());
            w.Write(model.Sizes.Count);
            foreach (int size in model.Sizes)
            {
                w.Write(size);
            }

            foreach (DenseLayer<T> layer in model.Layers)
            {
                w.Write((int)layer.Activation);
            }

            foreach (Parameter<T> p in model.Parameters)
            {
                w.Write(MemoryMarshal.AsBytes<T>(p.Value));
            }

            w.Write(optimizer?.Name ?? string.Empty);
            if (optimizer is not null)
            {
                w.Write(optimizer.Settings.Count);
                foreach (double s in optimizer.Settings)
                {
                    w.Write(s);
                }

                w.Write(optimizer.Steps);
                w.Write(optimizer.State.Count);
                foreach (T[] state in optimizer.State)
                {
                    w.Write(state.Length);
                    w.Write(MemoryMarshal.AsBytes<T>(state));
                }
            }
        }

        buffer.Write(BitConverter.GetBytes(Crc32.Compute(buffer.GetBuffer().AsSpan(0, (int)buffer.Length))));
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                buffer.Position = 0;
                buffer.CopyTo(file);
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Reads a model saved by <see cref="Save{T}"/>.</summary>
    /// <typeparam name="T">The element type the file was saved with.</typeparam>
    /// <param name="path">The file.</param>
    /// <returns>The model and, when the file holds one, the optimizer rebuilt with its state.</returns>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt, of another version or element type.</exception>
    public static (Mlp<T> Model, Optimizer<T>? Optimizer) Load<T>(string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + 4 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path} is not a SymDiff model file (its first bytes are not '{Encoding.ASCII.GetString(Magic)}').");
        }

        if (bytes.Length < Magic.Length + 8)
        {
            throw new InvalidDataException($"{path} is truncated: it ends inside the header.");
        }

        uint stored = BitConverter.ToUInt32(bytes, bytes.Length - 4);
        if (Crc32.Compute(bytes.AsSpan(0, bytes.Length - 4)) != stored)
        {
            throw new InvalidDataException($"{path} is corrupt or truncated: its checksum does not match its contents.");
        }

        var r = new Reader(bytes.AsMemory(0, bytes.Length - 4), path);
        r.Skip(Magic.Length);
        int version = r.Int("the format version");
        if (version != Version)
        {
            throw new InvalidDataException($"{path} has format version {version}; this SymDiff reads version {Version}.");
        }

        int elementSize = r.Int("the element size");
        if (elementSize != Marshal.SizeOf<T>())
        {
            throw new InvalidDataException($"{path} holds {(elementSize == 4 ? "float" : elementSize == 8 ? "double" : $"{elementSize}-byte")} values; load it as Mlp<{(elementSize == 4 ? "float" : "double")}>, not Mlp<{typeof(T).Name}>.");
        }

        int count = r.Int("the layer count");
        if (count < 2 || count > 1000)
        {
            throw new InvalidDataException($"{path} declares {count} sizes; a model has between 2 and 1000.");
        }

        var sizes = Enumerable.Range(0, count).Select(i => r.Int($"size {i}")).ToArray();
        if (sizes.Any(s => s <= 0 || s > 1 << 24))
        {
            throw new InvalidDataException($"{path} declares layer sizes {string.Join("-", sizes)}; each must be between 1 and {1 << 24}.");
        }

        var activations = Enumerable.Range(1, count - 1).Select(l => r.Int($"the activation of layer {l}")).ToArray();
        if (activations.Any(a => !Enum.IsDefined(typeof(Activation), a)))
        {
            throw new InvalidDataException($"{path} names an unknown activation ({string.Join(", ", activations)}).");
        }

        var model = new Mlp<T>(sizes, activations.Select(a => (Activation)a).ToArray());
        foreach (Parameter<T> p in model.Parameters)
        {
            r.Values(p.Value, p.Name);
        }

        string name = r.String("the optimizer name");
        Optimizer<T>? optimizer = null;
        if (name.Length > 0)
        {
            int settingCount = r.Int("the optimizer settings count");
            var settings = Enumerable.Range(0, Math.Min(settingCount, 16)).Select(i => r.Double($"optimizer setting {i}")).ToArray();
            optimizer = Create(name, model.Parameters, settings, path);
            optimizer.Steps = r.Long("the optimizer step count");
            int states = r.Int("the optimizer state count");
            if (states != optimizer.State.Count)
            {
                throw new InvalidDataException($"{path} holds {states} optimizer state arrays; {name} over this model needs {optimizer.State.Count}.");
            }

            for (int i = 0; i < states; i++)
            {
                int length = r.Int($"the length of optimizer state {i}");
                if (length != optimizer.State[i].Length)
                {
                    throw new InvalidDataException($"{path}: optimizer state {i} has {length} values; its parameter has {optimizer.State[i].Length}.");
                }

                r.Values(optimizer.State[i], $"optimizer state {i}");
            }
        }

        if (!r.AtEnd)
        {
            throw new InvalidDataException($"{path} has unexpected data after the model.");
        }

        return (model, optimizer);
    }

    /// <summary>Loads a file into an existing model of the same shape (weights only).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="path">The file.</param>
    /// <param name="model">The model to overwrite; untouched if the file does not fit.</param>
    /// <exception cref="InvalidDataException">The file is unreadable or has another shape.</exception>
    public static void LoadInto<T>(string path, Mlp<T> model)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Mlp<T> loaded = Load<T>(path).Model;
        bool sameShape = loaded.Sizes.SequenceEqual(model.Sizes)
            && loaded.Layers.Select(l => l.Activation).SequenceEqual(model.Layers.Select(l => l.Activation));
        if (!sameShape)
        {
            throw new InvalidDataException($"{path} holds a {Describe(loaded)} network; the model is {Describe(model)}.");
        }

        for (int i = 0; i < model.Parameters.Count; i++)
        {
            loaded.Parameters[i].Value.CopyTo(model.Parameters[i].Value, 0);
        }
    }

    private static string Describe<T>(Mlp<T> m)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        string.Join("-", m.Sizes) + " (" + string.Join(", ", m.Layers.Select(l => l.Activation)) + ")";

    private static Optimizer<T> Create<T>(string name, IReadOnlyList<Parameter<T>> parameters, double[] s, string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool fits = name switch
        {
            "sgd" or "momentum" or "nesterov" or "rmsprop" => s.Length == 4,
            "adam" or "adamw" => s.Length == 5,
            _ => throw new InvalidDataException($"{path} names an unknown optimizer '{name}'."),
        };
        if (!fits)
        {
            throw new InvalidDataException($"{path}: the {name} optimizer has {s.Length} settings.");
        }

        return name switch
        {
            "sgd" or "momentum" or "nesterov" => new Sgd<T>(parameters, s[0], s[1], s[2] != 0, s[3]),
            "rmsprop" => new RmsProp<T>(parameters, s[0], s[1], s[2], s[3]),
            _ => new Adam<T>(parameters, s[0], s[1], s[2], s[3], s[4], decoupled: name == "adamw"),
        };
    }

    // Reads the payload, turning every overrun into a message that says what was being read.
    private sealed class Reader(ReadOnlyMemory<byte> data, string path)
    {
        private int at;

        public bool AtEnd => at == data.Length;

        public void Skip(int n) => Take(n, "the header");

        public int Int(string what) => BitConverter.ToInt32(Take(4, what));

        public long Long(string what) => BitConverter.ToInt64(Take(8, what));

        public double Double(string what) => BitConverter.ToDouble(Take(8, what));

        public string String(string what)
        {
            int length = Take(1, what)[0];
            return Encoding.UTF8.GetString(Take(length, what));
        }

        public void Values<T>(T[] into, string what)
            where T : unmanaged =>
            Take(into.Length * Marshal.SizeOf<T>(), what).CopyTo(MemoryMarshal.AsBytes(into.AsSpan()));

        private ReadOnlySpan<byte> Take(int n, string what)
        {
            if (n < 0 || at + n > data.Length)
            {
                throw new InvalidDataException($"{path} is truncated: it ends while reading {what}.");
            }

            ReadOnlySpan<byte> span = data.Span.Slice(at, n);
            at += n;
            return span;
        }
    }
}

/// <summary>CRC-32 (IEEE 802.3), for model files.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }

        return c;
    }).ToArray();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }
}
