using Octopus.Domain;
using Octopus.Domain.Units;
using Octopus.Domain.Users;

namespace Octopus.Application.Configuration;

/// <summary>Section <c>Octopus:DefaultQuota</c>: the quota a new (non-admin) user gets when none is given. Each limit is
/// optional; a key left out keeps its default (32 cores, 128GiB memory, 2TiB disk, 20 VMs).</summary>
public sealed class QuotaOptions
{
    public const string Section = "Octopus:DefaultQuota";

    /// <summary>Cores at most (a positive whole number).</summary>
    public int? MaxCores { get; set; } = 32;

    /// <summary>Memory at most, a size such as 128GiB.</summary>
    public string? MaxMemory { get; set; } = "128GiB";

    /// <summary>Disk at most, a size such as 2TiB.</summary>
    public string? MaxDisk { get; set; } = "2TiB";

    /// <summary>VMs at most (a positive whole number).</summary>
    public int? MaxVms { get; set; } = 20;

    /// <summary>The quota these limits make; throws <see cref="ConfigurationException"/> naming the key (the validator
    /// has already checked them at start-up).</summary>
    public Quota ToQuota()
    {
        var memory = Size(nameof(MaxMemory), MaxMemory);
        var disk = Size(nameof(MaxDisk), MaxDisk);
        try
        {
            return Quota.Create(MaxCores, memory, disk, MaxVms);
        }
        catch (DomainException e)
        {
            var field = e.Field is { Length: > 0 } f ? char.ToUpperInvariant(f[0]) + f[1..] : null;
            throw new ConfigurationException(field is not null && typeof(QuotaOptions).GetProperty(field) is not null ? $"{Section}:{field}" : Section, e.Message);
        }
    }

    private static ByteSize? Size(string key, string? text) =>
        text is null ? null : ConfigurationValues.Size(text) ?? throw new ConfigurationException($"{Section}:{key}", ConfigurationValues.NotASize(text));
}

/// <summary>Checks that <see cref="QuotaOptions"/> makes a quota.</summary>
public sealed class QuotaOptionsValidator() : SectionValidator<QuotaOptions>(QuotaOptions.Section)
{
    protected override void Check(QuotaOptions o, Action<string, string> fail) => Converts(() => o.ToQuota(), fail);
}
