using Octopus.Domain.Units;
using Octopus.Domain.Users;

namespace Octopus.Domain.Tests.Users;

public class QuotaTests
{
    [Fact]
    public void EnsureAllows_OverCores_SaysQuotaUsageAndAsk()
    {
        var quota = Quota.Create(8, null, null, null);
        var used = new QuotaUsage(6, ByteSize.FromGiB(8), ByteSize.FromGiB(40), 3);
        var ask = new QuotaUsage(4, ByteSize.FromGiB(4), ByteSize.FromGiB(20), 1);
        var act = () => quota.EnsureAllows(used, ask);
        act.Should().Throw<DomainException>()
            .Where(e => e.Kind == ErrorKind.QuotaExceeded)
            .WithMessage("Quota exceeded for cores: the quota is 8, 6 in use, 4 asked for.*");
    }

    [Fact]
    public void EnsureAllows_ExactlyAtLimit_IsAllowed()
    {
        var quota = Quota.Create(8, ByteSize.FromGiB(16), null, 4);
        quota.EnsureAllows(new QuotaUsage(4, ByteSize.FromGiB(8), ByteSize.Zero, 3), new QuotaUsage(4, ByteSize.FromGiB(8), ByteSize.Zero, 1));
    }

    [Fact]
    public void Unlimited_AllowsAnything() =>
        Quota.Unlimited.EnsureAllows(new QuotaUsage(1000, ByteSize.FromTiB(10), ByteSize.FromTiB(10), 1000), new QuotaUsage(1, ByteSize.Zero, ByteSize.Zero, 1));
}
