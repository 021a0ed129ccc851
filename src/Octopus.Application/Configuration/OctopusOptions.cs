using Octopus.Domain;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;
using Octopus.Scheduling.Placement;

namespace Octopus.Application.Configuration;

/// <summary>The configuration file's shape (section <c>Octopus</c>), as written by people: sizes are strings
/// ("128GiB"), strategies are names. <see cref="Validate"/> turns it into <see cref="ServerSettings"/> or explains
/// exactly which key is wrong.</summary>
public sealed class OctopusOptions
{
    public const string Section = "Octopus";

    /// <summary>TCP port on 127.0.0.1 (0 picks a free one). Default 5080.</summary>
    public int Port { get; set; } = 5080;

    /// <summary>Address to listen on. Default 127.0.0.1; set 0.0.0.0 only behind a TLS proxy.</summary>
    public string Bind { get; set; } = "127.0.0.1";

    /// <summary>Folder for the SQLite store and the simulated cluster's state. Default ./data.</summary>
    public string DataDirectory { get; set; } = "data";

    public ClusterSection Cluster { get; set; } = new();
    public List<ImageSection>? Images { get; set; }
    public SchedulerSection Scheduler { get; set; } = new();

    public sealed class ClusterSection
    {
        /// <summary>Groups of identical hosts. Default: one group of 8.</summary>
        public List<HostGroupSection>? Hosts { get; set; }
    }

    public sealed class HostGroupSection
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

    public sealed class ImageSection
    {
        public string Name { get; set; } = "";
        public string Size { get; set; } = "2GiB";
    }

    public sealed class SchedulerSection
    {
        /// <summary>pack (consolidate, the default) or spread (balance).</summary>
        public string Strategy { get; set; } = "pack";

        /// <summary>How often the control loop runs its passes. 50 ms to 1 min; default 1 s.</summary>
        public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>automatic (apply the consolidation plan every interval), manual (propose only; apply with
        /// <c>octopus plan apply</c>) or off. Default manual. Admins change it at run time with <c>octopus plan mode</c>.</summary>
        public string Consolidation { get; set; } = "manual";

        /// <summary>Consolidation engine policy: octopus (default) or a CloudSim baseline (lr-mmt-1.2, …).</summary>
        public string ConsolidationPolicy { get; set; } = "octopus";

        /// <summary>How often the consolidation engine runs (its history has one sample per interval). 1 s to 1 h; default 5 min.</summary>
        public TimeSpan ConsolidationInterval { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>How often each host with an IPMI or Redfish BMC is asked what it draws (its watts then replace the
        /// power model's). 5 s to 1 h; default 1 min.</summary>
        public TimeSpan PowerReadingInterval { get; set; } = TimeSpan.FromMinutes(1);

        /// <summary>Tuning of the <c>octopus</c> policy, counted in consolidation intervals (defaults suit 5-minute
        /// intervals: a 2-hour horizon; no dwell since policy v2 — see the consolidation README on hysteresis).</summary>
        public OctopusPolicySection OctopusPolicy { get; set; } = new();

        /// <summary>Any policy option by its key, as <c>octopus simulate --option</c> takes them
        /// (<c>"PolicyOptions": { "octopus.fill": 0.95, "lr.safety": 1.2 }</c>); each is checked against its range.
        /// Wins over the three <see cref="OctopusPolicy"/> keys.</summary>
        public Dictionary<string, string>? PolicyOptions { get; set; }
    }

    public sealed class OctopusPolicySection
    {
        /// <summary>Option <c>octopus.horizon</c> (unset: the policy's default).</summary>
        public int? HorizonSteps { get; set; }

        /// <summary>Option <c>octopus.dwell</c> (unset: the policy's default).</summary>
        public int? MinimumDwellSteps { get; set; }

        /// <summary>Option <c>octopus.migration-cost</c> (unset: the policy's default).</summary>
        public double? MigrationCostJoulesPerMb { get; set; }
    }

    /// <summary>Limits as written in a directory group's <c>Quota</c>; a limit left out is unlimited.</summary>
    public sealed class QuotaSection
    {
        public int? MaxCores { get; set; }
        public string? MaxMemory { get; set; }
        public string? MaxDisk { get; set; }
        public int? MaxVms { get; set; }
    }

    /// <summary>Checks every value and converts to typed settings; throws <see cref="ConfigurationException"/> naming the key.</summary>
    public ServerSettings Validate()
    {
        if (Port is < 0 or > 65535) throw new ConfigurationException("Octopus:Port", $"{Port} is not a TCP port (0-65535).");
        if (!System.Net.IPAddress.TryParse(Bind, out var bind)) throw new ConfigurationException("Octopus:Bind", $"'{Bind}' is not an IP address.");
        if (string.IsNullOrWhiteSpace(DataDirectory)) throw new ConfigurationException("Octopus:DataDirectory", "must name a folder.");

        var groups = Cluster.Hosts is { Count: > 0 } g ? g : [new HostGroupSection()];
        var hosts = new List<HostSpec>();
        for (var i = 0; i < groups.Count; i++)
        {
            var key = $"Octopus:Cluster:Hosts:{i}";
            var grp = groups[i];
            if (grp.Count is < 0 or > 100_000) throw new ConfigurationException($"{key}:Count", $"{grp.Count} hosts is out of range (0-100000).");
            if (string.IsNullOrWhiteSpace(grp.NamePrefix) || grp.NamePrefix.Length > 50 || !grp.NamePrefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
                throw new ConfigurationException($"{key}:NamePrefix", $"'{grp.NamePrefix}' must be 1-50 lower-case letters, digits or '-'.");
            var memory = Size($"{key}:Memory", grp.Memory);
            var disk = Size($"{key}:Disk", grp.Disk);
            HostCapacity capacity;
            PowerModel power;
            try
            {
                capacity = HostCapacity.Create(grp.Cores, new Mips(grp.MipsPerCore), memory, disk);
                power = grp.PowerModel is null ? DefaultPowerModel : new PowerModel(grp.PowerModel);
            }
            catch (DomainException e)
            {
                throw new ConfigurationException($"{key}:{(e.Field is null ? "" : char.ToUpperInvariant(e.Field[0]) + e.Field[1..])}", e.Message);
            }
            var width = Math.Max(2, grp.Count.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
            for (var n = 1; n <= grp.Count; n++)
                hosts.Add(new HostSpec($"{grp.NamePrefix}-{n.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width, '0')}", capacity, power));
        }
        var dup = hosts.GroupBy(h => h.Name).FirstOrDefault(x => x.Count() > 1);
        if (dup is not null) throw new ConfigurationException("Octopus:Cluster:Hosts", $"two host groups both make a host named '{dup.Key}'; give them different NamePrefix values.");

        var imageSections = Images is { Count: > 0 } im ? im :
            [new() { Name = "debian-12", Size = "2GiB" }, new() { Name = "ubuntu-24.04", Size = "3GiB" }, new() { Name = "windows-server-2022", Size = "20GiB" }];
        var images = new List<ImageSpec>();
        for (var i = 0; i < imageSections.Count; i++)
        {
            try { images.Add(new ImageSpec(ImageName.Parse(imageSections[i].Name), Size($"Octopus:Images:{i}:Size", imageSections[i].Size))); }
            catch (DomainException e) { throw new ConfigurationException($"Octopus:Images:{i}:Name", e.Message); }
        }

        var strategy = Scheduler.Strategy?.ToLowerInvariant() switch
        {
            "pack" => PlacementStrategy.Pack,
            "spread" => PlacementStrategy.Spread,
            _ => throw new ConfigurationException("Octopus:Scheduler:Strategy", $"'{Scheduler.Strategy}' is not a strategy; use pack or spread."),
        };
        if (Scheduler.Interval < TimeSpan.FromMilliseconds(50) || Scheduler.Interval > TimeSpan.FromMinutes(1))
            throw new ConfigurationException("Octopus:Scheduler:Interval", $"{Scheduler.Interval} is out of range (00:00:00.05 to 00:01:00).");
        Consolidation.ConsolidationMode mode;
        try { mode = Consolidation.ConsolidationModeStore.Parse(Scheduler.Consolidation); }
        catch (DomainException e) { throw new ConfigurationException("Octopus:Scheduler:Consolidation", e.Message); }
        if (!global::Octopus.Consolidation.Policies.PolicyCatalog.TryCreate(Scheduler.ConsolidationPolicy, out _, out var policyError))
            throw new ConfigurationException("Octopus:Scheduler:ConsolidationPolicy", policyError);
        var policyOptions = PolicyOptionsFrom(Scheduler);
        if (!global::Octopus.Consolidation.Policies.PolicyCatalog.TryCreate(Scheduler.ConsolidationPolicy, policyOptions, out _, out var optionsError))
            throw new ConfigurationException("Octopus:Scheduler:PolicyOptions", optionsError);
        if (Scheduler.ConsolidationInterval < TimeSpan.FromSeconds(1) || Scheduler.ConsolidationInterval > TimeSpan.FromHours(1))
            throw new ConfigurationException("Octopus:Scheduler:ConsolidationInterval", $"{Scheduler.ConsolidationInterval} is out of range (00:00:01 to 01:00:00).");
        if (Scheduler.PowerReadingInterval < TimeSpan.FromSeconds(5) || Scheduler.PowerReadingInterval > TimeSpan.FromHours(1))
            throw new ConfigurationException("Octopus:Scheduler:PowerReadingInterval", $"{Scheduler.PowerReadingInterval} is out of range (00:00:05 to 01:00:00).");

        return new ServerSettings(bind, Port, Path.GetFullPath(DataDirectory), hosts, images, new PlacementOptions { Strategy = strategy },
            Scheduler.Interval, mode, Scheduler.ConsolidationPolicy.Trim().ToLowerInvariant(), Scheduler.ConsolidationInterval, policyOptions)
        {
            PowerReadingInterval = Scheduler.PowerReadingInterval,
        };
    }

    /// <summary>The policy options: the three <c>OctopusPolicy</c> keys, then every <c>PolicyOptions</c> entry, each
    /// validated against its range; the error names the configuration key, the option's range and the value.</summary>
    private static global::Octopus.Consolidation.Options.PolicySettings PolicyOptionsFrom(SchedulerSection scheduler)
    {
        var settings = global::Octopus.Consolidation.Options.PolicySettings.Defaults;
        const string legacy = "Octopus:Scheduler:OctopusPolicy";
        var tuning = scheduler.OctopusPolicy;
        Set($"{legacy}:HorizonSteps", "octopus.horizon", tuning.HorizonSteps);
        Set($"{legacy}:MinimumDwellSteps", "octopus.dwell", tuning.MinimumDwellSteps);
        Set($"{legacy}:MigrationCostJoulesPerMb", "octopus.migration-cost", tuning.MigrationCostJoulesPerMb);
        foreach (var (key, value) in scheduler.PolicyOptions ?? [])
        {
            if (!settings.TrySet(key, value, out settings, out var error))
                throw new ConfigurationException($"Octopus:Scheduler:PolicyOptions:{key}", error);
        }
        return settings;

        void Set(string configKey, string option, double? value)
        {
            if (value is { } v && !settings.TrySet(option, v, out settings, out var error)) throw new ConfigurationException(configKey, error);
        }
    }

    /// <summary>A mid-range two-socket server: 110 W idle, 345 W flat out.</summary>
    public static PowerModel DefaultPowerModel { get; } = new([110, 140, 160, 180, 200, 220, 245, 270, 295, 320, 345]);

    /// <summary>A positive size such as 128GiB, or a <see cref="ConfigurationException"/> naming <paramref name="key"/>.</summary>
    internal static ByteSize Size(string key, string? text) =>
        ByteSize.TryParse(text, out var s) && s.Bytes > 0 ? s : throw new ConfigurationException(key, $"'{text}' is not a size; write e.g. 128GiB or 2TiB.");

}

/// <summary>Validated, typed server settings.</summary>
public sealed record ServerSettings(
    System.Net.IPAddress Bind,
    int Port,
    string DataDirectory,
    IReadOnlyList<HostSpec> Hosts,
    IReadOnlyList<ImageSpec> Images,
    PlacementOptions Placement,
    TimeSpan ControlInterval,
    Consolidation.ConsolidationMode ConsolidationMode,
    string ConsolidationPolicy,
    TimeSpan ConsolidationInterval,
    global::Octopus.Consolidation.Options.PolicySettings PolicyOptions)
{
    /// <summary>How often each host's BMC is asked for its power reading.</summary>
    public TimeSpan PowerReadingInterval { get; init; } = TimeSpan.FromMinutes(1);

    public string DatabaseFile => Path.Combine(DataDirectory, "octopus.db");
    /// <summary>The simulated cluster plays the hypervisors, so its own state stays in a folder of its own, as a real
    /// host's would stay on the host: <c>DATA/simulated-cluster/</c>.</summary>
    public string SimulatedClusterFolder => Path.Combine(DataDirectory, "simulated-cluster");
    public string SimulatedClusterFile => Path.Combine(SimulatedClusterFolder, "state.json");
}

public sealed record HostSpec(string Name, HostCapacity Capacity, PowerModel PowerModel);

public sealed record ImageSpec(ImageName Name, ByteSize Size);

/// <summary>A configuration value is wrong. The message names the key and what to write instead.</summary>
public sealed class ConfigurationException(string key, string problem) : Exception($"configuration error at {key}: {problem}")
{
    public string Key { get; } = key;

    /// <summary>What is wrong and what to write instead.</summary>
    public string Problem { get; } = problem;
}
