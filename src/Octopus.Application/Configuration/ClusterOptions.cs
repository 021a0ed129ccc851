using System.Globalization;
using Octopus.Domain;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;

namespace Octopus.Application.Configuration;

/// <summary>Section <c>Octopus:Cluster</c>: the simulated cluster's hosts, as groups of identical hosts. With the qemu
/// driver the hosts are the agents that register instead, and this section is not used.</summary>
public sealed class ClusterOptions
{
    public const string Section = "Octopus:Cluster";

    /// <summary>Groups of identical hosts. Default: one group of 8.</summary>
    public List<HostGroup>? Hosts { get; set; }

    public sealed class HostGroup
    {
        /// <summary>Hosts are named PREFIX-01, PREFIX-02, …</summary>
        public string NamePrefix { get; set; } = "sim";
        public int Count { get; set; } = 8;
        public int Cores { get; set; } = 32;
        public double MipsPerCore { get; set; } = 2660;
        public string Memory { get; set; } = "128GiB";
        public string Disk { get; set; } = "2TiB";

        /// <summary>Watts at 0, 10, …, 100 % CPU (11 values).</summary>
        public List<double>? PowerModel { get; set; }
    }

    /// <summary>A mid-range two-socket server: 110 W idle, 345 W flat out.</summary>
    public static PowerModel DefaultPowerModel { get; } = new([110, 140, 160, 180, 200, 220, 245, 270, 295, 320, 345]);

    /// <summary>The hosts these groups make (the validator has checked them at start-up).</summary>
    public IReadOnlyList<HostSpec> HostSpecs() => Specs((key, problem) => throw new ConfigurationException($"{Section}:{key}", problem));

    /// <summary>The hosts these groups make; each wrong value is reported through <paramref name="fail"/> (key within the
    /// section, problem) and its group left out.</summary>
    internal IReadOnlyList<HostSpec> Specs(Action<string, string> fail)
    {
        var groups = Hosts is { Count: > 0 } g ? g : [new HostGroup()];
        var hosts = new List<HostSpec>();
        for (var i = 0; i < groups.Count; i++)
        {
            var key = $"Hosts:{i}";
            var grp = groups[i];
            if (grp.Count is < 0 or > 100_000) { fail($"{key}:Count", $"{grp.Count} hosts is out of range (0-100000)."); continue; }
            if (string.IsNullOrWhiteSpace(grp.NamePrefix) || grp.NamePrefix.Length > 50 || !grp.NamePrefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                fail($"{key}:NamePrefix", $"'{grp.NamePrefix}' must be 1-50 lower-case letters, digits or '-'.");
                continue;
            }
            if (ConfigurationValues.Size(grp.Memory) is not { } memory) { fail($"{key}:Memory", ConfigurationValues.NotASize(grp.Memory)); continue; }
            if (ConfigurationValues.Size(grp.Disk) is not { } disk) { fail($"{key}:Disk", ConfigurationValues.NotASize(grp.Disk)); continue; }
            HostCapacity capacity;
            PowerModel power;
            try
            {
                capacity = HostCapacity.Create(grp.Cores, new Mips(grp.MipsPerCore), memory, disk);
                power = grp.PowerModel is null ? DefaultPowerModel : new PowerModel(grp.PowerModel);
            }
            catch (DomainException e)
            {
                fail($"{key}{(e.Field is null ? "" : ":" + char.ToUpperInvariant(e.Field[0]) + e.Field[1..])}", e.Message);
                continue;
            }
            var width = Math.Max(2, grp.Count.ToString(CultureInfo.InvariantCulture).Length);
            for (var n = 1; n <= grp.Count; n++)
                hosts.Add(new HostSpec($"{grp.NamePrefix}-{n.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0')}", capacity, power));
        }
        if (hosts.GroupBy(h => h.Name).FirstOrDefault(x => x.Count() > 1) is { } dup)
            fail("Hosts", $"two host groups both make a host named '{dup.Key}'; give them different NamePrefix values.");
        return hosts;
    }
}

/// <summary>Checks that <see cref="ClusterOptions"/> makes hosts with distinct names.</summary>
public sealed class ClusterOptionsValidator() : SectionValidator<ClusterOptions>(ClusterOptions.Section)
{
    protected override void Check(ClusterOptions o, Action<string, string> fail) => o.Specs(fail);
}

/// <summary>One simulated host as configured.</summary>
public sealed record HostSpec(string Name, HostCapacity Capacity, PowerModel PowerModel);
