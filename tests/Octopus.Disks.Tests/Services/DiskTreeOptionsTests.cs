using Octopus.Disks.Services;
using Octopus.Domain;

namespace Octopus.Disks.Tests.Services;

public class DiskTreeOptionsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(257)]
    public void Validate_DepthOutOfRange_IsRejected(int depth) =>
        ((Action)(() => new DiskTreeOptions { MaxChainDepth = depth }.Validate())).Should().Throw<DomainException>().Which.Field.Should().Be("MaxChainDepth");

    [Fact]
    public void Validate_NegativeGrace_IsRejected() =>
        ((Action)(() => new DiskTreeOptions { GracePeriod = TimeSpan.FromSeconds(-1) }.Validate())).Should().Throw<DomainException>();
}
