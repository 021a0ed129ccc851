using System.Net;

namespace Octopus.Application.Configuration;

/// <summary>The <c>Octopus</c> section's own keys (its sub-sections have options classes of their own): where the server
/// listens, where its data folder is, and which driver runs VMs. <c>octopus serve --port/--bind/--data/--driver</c> set
/// the same keys.</summary>
public sealed class ServerOptions
{
    public const string Section = "Octopus";

    /// <summary>TCP port (0 picks a free one). Default 5080.</summary>
    public int Port { get; set; } = 5080;

    /// <summary>Address to listen on. Default 127.0.0.1; set 0.0.0.0 only behind a TLS proxy.</summary>
    public string Bind { get; set; } = "127.0.0.1";

    /// <summary>Folder for the SQLite store, the disk storage and the simulated cluster's state. Default ./data.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary><c>simulated</c> (the default: the built-in simulated cluster) or <c>qemu</c> (hosts are the agents that
    /// register; see <c>Octopus:Agents</c>).</summary>
    public string Driver { get; set; } = SimulatedDriver;

    public const string SimulatedDriver = "simulated";
    public const string QemuDriver = "qemu";

    /// <summary>The listening address (the validator has checked it parses).</summary>
    public IPAddress BindAddress => IPAddress.Parse(Bind);

    /// <summary>The data folder, as an absolute path, and what lives in it.</summary>
    public DataFolder Data => new(Path.GetFullPath(DataDirectory));

    /// <summary>True when agents run the VMs (<c>Driver</c> = qemu); false for the simulated cluster.</summary>
    public bool AgentsRunVms => string.Equals(Driver?.Trim(), QemuDriver, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Checks <see cref="ServerOptions"/>.</summary>
public sealed class ServerOptionsValidator() : SectionValidator<ServerOptions>(ServerOptions.Section)
{
    protected override void Check(ServerOptions o, Action<string, string> fail)
    {
        if (o.Port is < 0 or > 65535) fail(nameof(o.Port), $"{o.Port} is not a TCP port (0-65535).");
        if (!IPAddress.TryParse(o.Bind, out _)) fail(nameof(o.Bind), $"'{o.Bind}' is not an IP address; write e.g. 127.0.0.1 or 0.0.0.0.");
        if (string.IsNullOrWhiteSpace(o.DataDirectory)) fail(nameof(o.DataDirectory), "must name a folder.");
        if (o.Driver?.Trim().ToLowerInvariant() is not (ServerOptions.SimulatedDriver or ServerOptions.QemuDriver))
            fail(nameof(o.Driver), $"'{o.Driver}' is not a driver; use {ServerOptions.SimulatedDriver} or {ServerOptions.QemuDriver}.");
    }
}

/// <summary>The server's data folder and the places in it. The simulated cluster plays the hypervisors, so its own state
/// stays in a folder of its own, as a real host's would stay on the host.</summary>
/// <param name="Root">Absolute path of the folder.</param>
public sealed record DataFolder(string Root)
{
    /// <summary>The SQLite store: <c>DATA/octopus.db</c>.</summary>
    public string DatabaseFile => Path.Combine(Root, "octopus.db");

    /// <summary><c>DATA/simulated-cluster/</c>.</summary>
    public string SimulatedClusterFolder => Path.Combine(Root, "simulated-cluster");

    /// <summary><c>DATA/simulated-cluster/state.json</c>.</summary>
    public string SimulatedClusterFile => Path.Combine(SimulatedClusterFolder, "state.json");

    /// <summary>Default disk storage folder: <c>DATA/storage</c>.</summary>
    public string StorageFolder => Path.Combine(Root, "storage");

    /// <summary>Default folder images may be imported from: <c>DATA/import</c>.</summary>
    public string ImportFolder => Path.Combine(Root, "import");
}
