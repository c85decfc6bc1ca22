using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace SymDiff.Nn;

/// <summary>
/// Saves and loads an <see cref="Mlp{T}"/>, or any set of named parameters, with the state of the
/// optimizer that trains them.
/// </summary>
/// <remarks>
/// Format, version 2, little-endian: the magic <c>SYMDIFF1</c>; the version (int32); the element
/// size (4 for float, 8 for double); the kind (1: an Mlp, then the layer count, the sizes and one
/// activation per layer; 2: named parameters, then their count and each one's name and length);
/// every parameter's values; the optimizer's name (empty for none), settings, step count, the
/// indices of the parameters it updates and their state arrays (length-prefixed); finally a CRC-32
/// of everything before it. Version 1 files (an Mlp, an optimizer over all its parameters) are
/// still read. A file is written to a temporary name in the same folder and renamed over the
/// target, so a crash mid-save leaves the previous file intact; the next save to that path
/// deletes temporary files such a crash left. Loading checks the magic, the version, the element
/// type, the checksum and every declared size against the bytes that are really there (in 64-bit
/// arithmetic) before allocating anything, and throws <see cref="InvalidDataException"/> naming
/// what is wrong.
/// </remarks>
public static class ModelFile
{
    /// <summary>The format version this library writes.</summary>
    public const int Version = 2;

    private const byte MlpKind = 1;
    private const byte NamedKind = 2;
    private const int MaxNameBytes = 1024;

    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("SYMDIFF1");

    /// <summary>Writes <paramref name="model"/> (and <paramref name="optimizer"/>'s state) to <paramref name="path"/> atomically.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The file.</param>
    /// <param name="model">The network.</param>
    /// <param name="optimizer">The optimizer over the network's parameters (all or some of them), or null.</param>
    /// <exception cref="ArgumentException">The optimizer updates an array that is not one of the network's.</exception>
    public static void Save<T>(string path, Mlp<T> model, Optimizer<T>? optimizer = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        int[] covered = optimizer?.PositionsIn(model.Parameters, "the parameters saved", "its state could not be loaded back") ?? [];
        Write(path, w =>
        {
            w.Write(MlpKind);
            w.Write(model.Sizes.Count);
            foreach (int size in model.Sizes)
            {
                w.Write(size);
            }

            foreach (DenseLayer<T> layer in model.Layers)
            {
                w.Write((int)layer.Activation);
            }
        }, model.Parameters, optimizer, covered);
    }

    /// <summary>
    /// Writes any set of named parameters (a model of your own) and <paramref name="optimizer"/>'s
    /// state to <paramref name="path"/> atomically. Names must be distinct: loading matches by name.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="path">The file.</param>
    /// <param name="parameters">The parameters.</param>
    /// <param name="optimizer">The optimizer over them (all or some of them), or null.</param>
    /// <exception cref="ArgumentException">Two parameters share a name, or the optimizer updates an array that is not one of them.</exception>
    public static void Save<T>(string path, IReadOnlyList<Parameter<T>> parameters, Optimizer<T>? optimizer = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Parameter<T> p in parameters)
        {
            if (!names.Add(p.Name))
            {
                throw new ArgumentException($"Two parameters are named '{p.Name}': a file matches parameters by name, so names must be distinct.", nameof(parameters));
            }

            if (Encoding.UTF8.GetByteCount(p.Name) > MaxNameBytes)
            {
                throw new ArgumentException($"The parameter name '{p.Name[..40]}…' is longer than {MaxNameBytes} bytes.", nameof(parameters));
            }
        }

        int[] covered = optimizer?.PositionsIn(parameters, "the parameters saved", "its state could not be loaded back") ?? [];
        Write(path, w =>
        {
            w.Write(NamedKind);
            w.Write(parameters.Count);
            foreach (Parameter<T> p in parameters)
            {
                byte[] name = Encoding.UTF8.GetBytes(p.Name);
                w.Write(name.Length);
                w.Write(name);
                w.Write(p.Value.Length);
            }
        }, parameters, optimizer, covered);
    }

    /// <summary>Reads a model saved by <see cref="Save{T}(string, Mlp{T}, Optimizer{T})"/>.</summary>
    /// <typeparam name="T">The element type the file was saved with.</typeparam>
    /// <param name="path">The file.</param>
    /// <returns>The model and, when the file holds one, the optimizer rebuilt with its state.</returns>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt, of another version, kind or element type, or declares sizes its bytes do not hold.</exception>
    public static (Mlp<T> Model, Optimizer<T>? Optimizer) Load<T>(string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Reader r = Open<T>(path, out int version);
        if (version >= 2 && r.Byte("the kind of model") != MlpKind)
        {
            throw new InvalidDataException($"{path} holds named parameters, not an Mlp: load it with ModelFile.LoadInto(path, parameters).");
        }

        int count = r.Int("the layer count");
        if (count < 2 || count > 1000)
        {
            throw new InvalidDataException($"{path} declares {count} sizes; a model has between 2 and 1000.");
        }

        var sizes = new int[count];
        for (int i = 0; i < count; i++)
        {
            sizes[i] = r.Int($"size {i}");
            if (sizes[i] <= 0)
            {
                throw new InvalidDataException($"{path} declares size {i} as {sizes[i]}; every width is at least 1.");
            }
        }

        var activations = new Activation[count - 1];
        for (int l = 0; l < activations.Length; l++)
        {
            int a = r.Int($"the activation of layer {l + 1}");
            activations[l] = Enum.IsDefined(typeof(Activation), a) ? (Activation)a : throw new InvalidDataException($"{path} names an unknown activation ({a}) for layer {l + 1}.");
        }

        // Every value the sizes declare must be in the file before the model is allocated.
        long values = 0;
        for (int l = 0; l + 1 < count; l++)
        {
            values += ((long)sizes[l] * sizes[l + 1]) + sizes[l + 1];
            r.RequireValues(values, $"a {string.Join("-", sizes)} network");
        }

        var model = new Mlp<T>(sizes, activations);
        foreach (Parameter<T> p in model.Parameters)
        {
            r.Values(p.Value, p.Name);
        }

        Optimizer<T>? optimizer = ReadOptimizer(r, model.Parameters, version, path);
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
        ArgumentNullException.ThrowIfNull(model);
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

    /// <summary>
    /// Loads a file saved by <see cref="Save{T}(string, IReadOnlyList{Parameter{T}}, Optimizer{T})"/>
    /// into <paramref name="parameters"/>, matched by name (every name in the file must be one of
    /// them, with the same length, and every one of them must be in the file), and rebuilds the
    /// optimizer that was saved with them, over the same parameters, with its state.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="path">The file.</param>
    /// <param name="parameters">The parameters to overwrite; untouched if the file does not fit.</param>
    /// <returns>The optimizer, or null when none was saved.</returns>
    /// <exception cref="InvalidDataException">The file is unreadable, holds an Mlp, or its names and lengths do not match.</exception>
    public static Optimizer<T>? LoadInto<T>(string path, IReadOnlyList<Parameter<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Reader r = Open<T>(path, out int version);
        if (version < 2 || r.Byte("the kind of model") != NamedKind)
        {
            throw new InvalidDataException($"{path} holds an Mlp, not named parameters: load it with ModelFile.Load<T>(path).");
        }

        int count = r.Int("the parameter count");
        if (count != parameters.Count)
        {
            throw new InvalidDataException($"{path} holds {count} parameters; {parameters.Count} were given to load it into.");
        }

        // Names and lengths first (each declared length checked against the bytes left), then
        // the values into fresh arrays, copied into the parameters only when all of them fit.
        var order = new Parameter<T>[count];
        long values = 0;
        for (int i = 0; i < count; i++)
        {
            int nameLength = r.Int($"the length of parameter {i}'s name");
            if (nameLength < 0 || nameLength > MaxNameBytes)
            {
                throw new InvalidDataException($"{path} declares a name of {nameLength} bytes for parameter {i}; names have at most {MaxNameBytes}.");
            }

            string name = Encoding.UTF8.GetString(r.Bytes(nameLength, $"parameter {i}'s name"));
            int length = r.Int($"the length of {name}");
            values += length;
            r.RequireValues(values, $"{count} parameters");
            Parameter<T> match = parameters.FirstOrDefault(p => p.Name == name)
                ?? throw new InvalidDataException($"{path} holds a parameter '{name}' that is not among the parameters given ({string.Join(", ", parameters.Select(p => p.Name))}).");
            if (length != match.Value.Length || Array.IndexOf(order, match) >= 0)
            {
                throw new InvalidDataException(length != match.Value.Length
                    ? $"{path}: '{name}' has {length} values; the parameter given has {match.Value.Length}."
                    : $"{path} holds '{name}' twice.");
            }

            order[i] = match;
        }

        var loaded = order.Select(p => new Parameter<T>(p.Name, p.Layer, new T[p.Value.Length], p.Gradient)).ToArray();
        foreach (Parameter<T> p in loaded)
        {
            r.Values(p.Value, p.Name);
        }

        Optimizer<T>? optimizer = ReadOptimizer(r, order, version, path);
        for (int i = 0; i < count; i++)
        {
            loaded[i].Value.CopyTo(order[i].Value, 0);
        }

        return optimizer;
    }

    private static void Write<T>(string path, Action<BinaryWriter> header, IReadOnlyList<Parameter<T>> parameters, Optimizer<T>? optimizer, int[] covered)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write(Marshal.SizeOf<T>());
            header(w);
            foreach (Parameter<T> p in parameters)
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
                w.Write(covered.Length);
                foreach (int index in covered)
                {
                    w.Write(index);
                }

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
        string folder = Path.GetDirectoryName(full)!;
        RemoveStaleTemporaries(folder, Path.GetFileName(full));
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
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

    // Temporary files of earlier saves to the same path that a crash left behind: exactly the
    // names this class writes (".name.<32 hex digits>.tmp"), nothing else in the folder.
    private static void RemoveStaleTemporaries(string folder, string name)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        string prefix = $".{name}.";
        foreach (string file in Directory.EnumerateFiles(folder, $".{name}.*.tmp"))
        {
            string middle = Path.GetFileName(file)[prefix.Length..^".tmp".Length];
            if (middle.Length == 32 && middle.All(Uri.IsHexDigit))
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException)
                {
                    // Another process's save in progress: leave it.
                }
            }
        }
    }

    // The header checks shared by every load: magic, size bound, checksum, version, element size.
    private static Reader Open<T>(string path, out int version)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long size = new FileInfo(path).Length;
        if (size > Array.MaxLength)
        {
            throw new InvalidDataException($"{path} is {size} bytes, larger than a model file this library reads ({Array.MaxLength} bytes).");
        }

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

        var r = new Reader(bytes.AsMemory(0, bytes.Length - 4), path, Marshal.SizeOf<T>());
        r.Skip(Magic.Length);
        version = r.Int("the format version");
        if (version is < 1 or > Version)
        {
            throw new InvalidDataException($"{path} has format version {version}; this SymDiff reads versions 1 to {Version}.");
        }

        int elementSize = r.Int("the element size");
        if (elementSize != Marshal.SizeOf<T>())
        {
            string held = elementSize == 4 ? "float" : elementSize == 8 ? "double" : $"{elementSize}-byte";
            throw new InvalidDataException($"{path} holds {held} values; load it as Mlp<{held}>, not Mlp<{(typeof(T) == typeof(float) ? "float" : "double")}>.");
        }

        return r;
    }

    // The optimizer section: settings, steps, which parameters it updates (version 1: all), state.
    private static Optimizer<T>? ReadOptimizer<T>(Reader r, IReadOnlyList<Parameter<T>> parameters, int version, string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string name = r.String("the optimizer name");
        Optimizer<T>? optimizer = null;
        if (name.Length > 0)
        {
            int settingCount = r.Int("the optimizer settings count");
            if (settingCount is < 0 or > 16)
            {
                throw new InvalidDataException($"{path} declares {settingCount} optimizer settings; optimizers have at most 16.");
            }

            var settings = Enumerable.Range(0, settingCount).Select(i => r.Double($"optimizer setting {i}")).ToArray();
            long steps = r.Long("the optimizer step count");
            IReadOnlyList<Parameter<T>> updated = parameters;
            if (version >= 2)
            {
                int covered = r.Int("the count of parameters the optimizer updates");
                if (covered < 0 || covered > parameters.Count)
                {
                    throw new InvalidDataException($"{path} declares an optimizer over {covered} parameters; the model has {parameters.Count}.");
                }

                var list = new Parameter<T>[covered];
                for (int i = 0; i < covered; i++)
                {
                    int index = r.Int($"the index of the optimizer's parameter {i}");
                    list[i] = index >= 0 && index < parameters.Count
                        ? parameters[index]
                        : throw new InvalidDataException($"{path}: the optimizer's parameter {i} is index {index}, not one of the {parameters.Count} parameters.");
                }

                updated = list;
            }

            try
            {
                optimizer = Create(name, updated, settings, path);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{path} holds a {name} optimizer that cannot be rebuilt: {e.Message}", e);
            }

            optimizer.Steps = steps >= 0 ? steps : throw new InvalidDataException($"{path} declares {steps} optimizer steps.");
            int states = r.Int("the optimizer state count");
            if (states != optimizer.State.Count)
            {
                throw new InvalidDataException($"{path} holds {states} optimizer state arrays; {name} over these parameters needs {optimizer.State.Count}.");
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

        return optimizer;
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
    private sealed class Reader(ReadOnlyMemory<byte> data, string path, int elementSize)
    {
        private int at;

        public bool AtEnd => at == data.Length;

        public void Skip(int n) => Take(n, "the header");

        public byte Byte(string what) => Take(1, what)[0];

        public int Int(string what) => BitConverter.ToInt32(Take(4, what));

        public long Long(string what) => BitConverter.ToInt64(Take(8, what));

        public double Double(string what) => BitConverter.ToDouble(Take(8, what));

        public ReadOnlySpan<byte> Bytes(int n, string what) => Take(n, what);

        public string String(string what)
        {
            int length = Take(1, what)[0];
            return Encoding.UTF8.GetString(Take(length, what));
        }

        // That `count` values (a running total of what the header declares) fit in what is left,
        // checked before anything of that size is allocated.
        public void RequireValues(long count, string what)
        {
            if (count < 0 || count > (data.Length - at) / elementSize)
            {
                throw new InvalidDataException($"{path} declares {what}: at least {(count < 0 ? "an impossible number of" : count.ToString(System.Globalization.CultureInfo.InvariantCulture))} values, but only {data.Length - at} bytes follow.");
            }
        }

        public void Values<T>(T[] into, string what)
            where T : unmanaged =>
            Take(checked(into.Length * Marshal.SizeOf<T>()), what).CopyTo(MemoryMarshal.AsBytes(into.AsSpan()));

        private ReadOnlySpan<byte> Take(int n, string what)
        {
            if (n < 0 || n > data.Length - at)
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
