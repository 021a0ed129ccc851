namespace Octopus.Drivers.Qemu.Tests;

public sealed class QemuOptionsTests
{
    [Fact]
    public void Validate_Defaults_Pass()
    {
        var act = () => new QemuOptions { DataDir = "/data" }.Validate();

        act.Should().NotThrow();
    }

    [Fact]
    public void Validate_RelativeBinary_ThrowsNamingTheOption()
    {
        var act = () => new QemuOptions { DataDir = "/data", QemuBinary = "qemu-system-x86_64" }.Validate();

        act.Should().Throw<DriverException>().WithMessage("*QemuBinary must be an absolute path*");
    }

    [Fact]
    public void Validate_ShutdownTimeoutOutOfRange_ThrowsNamingTheRange()
    {
        var act = () => new QemuOptions { DataDir = "/data", ShutdownTimeout = TimeSpan.Zero }.Validate();

        act.Should().Throw<DriverException>().WithMessage("*ShutdownTimeout must be between 00:00:01 and 00:10:00*");
    }
}
