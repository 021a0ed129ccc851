using Octopus.Domain.Units;

namespace Octopus.Domain.Tests.Units;

public class ByteSizeTests
{
    [Theory]
    [InlineData("4GiB", 4L * 1024 * 1024 * 1024)]
    [InlineData("4 GiB", 4L * 1024 * 1024 * 1024)]
    [InlineData("512MiB", 512L * 1024 * 1024)]
    [InlineData("20GB", 20_000_000_000L)] // decimal units are decimal
    [InlineData("1.5G", 1610612736L)]     // 1.5 * 1024^3
    [InlineData("1073741824", 1073741824L)]
    [InlineData("2t", 2L * 1024 * 1024 * 1024 * 1024)]
    public void TryParse_ValidText_GivesBytes(string text, long bytes)
    {
        ByteSize.TryParse(text, out var size).Should().BeTrue();
        size.Bytes.Should().Be(bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("-4GiB")]
    [InlineData("4XB")]
    [InlineData("99999999999999PiB")]
    public void TryParse_Garbage_IsRejected(string text) => ByteSize.TryParse(text, out _).Should().BeFalse();

    [Fact]
    public void ToString_UsesBinaryUnits()
    {
        ByteSize.FromGiB(4).ToString().Should().Be("4 GiB");
        ByteSize.FromMiB(1536).ToString().Should().Be("1.5 GiB");
    }
}
