using System.Numerics;
using System.Runtime.Intrinsics.X86;

namespace SymDiff.Tests;

/// <summary>The setting this project runs under took effect: otherwise its tests would test the usual path again.</summary>
public class SettingTests
{
    [Fact]
    public void Vector_of_T_is_64_bytes_where_the_cpu_has_avx512()
    {
        Assert.Equal(Avx512F.IsSupported ? 64 : Vector<byte>.Count, Vector<byte>.Count);
        if (Avx512F.IsSupported)
        {
            Assert.Equal(16, Vector<float>.Count);
        }
    }
}
