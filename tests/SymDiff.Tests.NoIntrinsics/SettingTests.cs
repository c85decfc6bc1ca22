using System.Numerics;
using System.Runtime.Intrinsics;

namespace SymDiff.Tests;

/// <summary>The setting this project runs under took effect: otherwise its tests would test the usual path again.</summary>
public class SettingTests
{
    [Fact]
    public void Hardware_intrinsics_are_off()
    {
        Assert.False(Vector128.IsHardwareAccelerated);
        Assert.False(Vector256.IsHardwareAccelerated);
        Assert.False(Vector.IsHardwareAccelerated);
    }
}
