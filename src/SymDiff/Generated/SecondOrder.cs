using System;
using System.Buffers;
using System.ComponentModel;
using System.Numerics;

namespace SymDiff.Generated;

/// <summary>Plumbing for the generated <c>Hessian</c> and <c>Jacobian</c> methods. Not for direct use.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SecondOrder
{
    /// <summary>Throws unless <paramref name="matrix"/> has <paramref name="size"/>² elements.</summary>
    /// <param name="matrix">The Hessian span.</param>
    /// <param name="size">The number of differentiated scalars.</param>
    /// <param name="name">The parameter's name, for the exception.</param>
    public static void RequireSquare<T>(Span<T> matrix, int size, string name)
    {
        if ((long)matrix.Length != (long)size * size)
        {
            throw new ArgumentException($"The Hessian has {matrix.Length} elements but {size} differentiated scalars need {(long)size * size} ({size}×{size}).", name);
        }
    }

    /// <summary>A zeroed buffer of at least <paramref name="length"/> elements from the shared pool (no allocation once warm).</summary>
    /// <param name="length">The elements needed.</param>
    /// <returns>The buffer; give it back with <see cref="Return{T}(T[])"/>.</returns>
    public static T[] Rent<T>(int length)
    {
        T[] buffer = ArrayPool<T>.Shared.Rent(length);
        Array.Clear(buffer, 0, length);
        return buffer;
    }

    /// <summary>Gives back a buffer from <see cref="Rent{T}(int)"/>.</summary>
    /// <param name="buffer">The buffer.</param>
    public static void Return<T>(T[] buffer) => ArrayPool<T>.Shared.Return(buffer);

    /// <summary>
    /// Makes a square row-major matrix exactly symmetric: each pair H[i,j], H[j,i] (equal up to
    /// rounding, as two products computed them) becomes their mean.
    /// </summary>
    /// <param name="matrix">The matrix.</param>
    /// <param name="size">Its number of rows.</param>
    public static void Symmetrize<T>(Span<T> matrix, int size)
        where T : IFloatingPointIeee754<T>
    {
        T half = T.CreateChecked(0.5);
        for (int i = 0; i < size; i++)
        {
            for (int j = i + 1; j < size; j++)
            {
                T mean = (matrix[(i * size) + j] + matrix[(j * size) + i]) * half;
                matrix[(i * size) + j] = mean;
                matrix[(j * size) + i] = mean;
            }
        }
    }
}
