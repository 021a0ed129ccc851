using System.Globalization;
using System.Text;
using Octopus.Domain.Vms;

namespace Octopus.Drivers;

/// <summary>A cloud-init NoCloud seed: the three files a node puts on a small read-only disk labelled <c>cidata</c>
/// (<see cref="VolumeLabel"/>), which cloud-init in the guest finds by its label. Made by the server for a VM whose image
/// is marked cloud-init capable; the node only writes it out.</summary>
/// <param name="MetaData">meta-data: instance-id (the VM id, so a fork, a new VM, runs cloud-init afresh), local-hostname
/// and public-keys.</param>
/// <param name="UserData">user-data: the user's own, as given, or a generated #cloud-config (hostname, fqdn, ssh_authorized_keys).</param>
/// <param name="NetworkConfig">network-config (version 2): DHCP on each NIC, matched by MAC; null when the VM has no NIC.</param>
public sealed record CloudInitSeed(string MetaData, string UserData, string? NetworkConfig)
{
    /// <summary>The volume label cloud-init's NoCloud data source looks for.</summary>
    public const string VolumeLabel = "cidata";

    /// <summary>The seed of a VM: <paramref name="userData"/> when the user gave some, else one generated from the VM's
    /// name, its first NIC's domain and <paramref name="sshKeys"/> (OpenSSH public key lines).</summary>
    public static CloudInitSeed For(VmId id, string name, IReadOnlyList<NicSpec> nics, IReadOnlyList<string> sshKeys, string? userData)
    {
        ArgumentNullException.ThrowIfNull(nics);
        ArgumentNullException.ThrowIfNull(sshKeys);
        var domain = nics.Select(n => n.Domain).FirstOrDefault(d => !string.IsNullOrEmpty(d));
        var hostName = nics.FirstOrDefault(n => !string.IsNullOrEmpty(n.Domain))?.HostName ?? name;

        var meta = new StringBuilder();
        meta.Append("instance-id: ").Append(Quote(id.Value.ToString())).Append('\n');
        meta.Append("local-hostname: ").Append(Quote(hostName)).Append('\n');
        AppendList(meta, "public-keys", sshKeys);

        string user;
        if (userData is not null) user = userData;
        else
        {
            var u = new StringBuilder("#cloud-config\n");
            u.Append("hostname: ").Append(Quote(hostName)).Append('\n');
            if (domain is not null) u.Append("fqdn: ").Append(Quote($"{hostName}.{domain}")).Append('\n');
            AppendList(u, "ssh_authorized_keys", sshKeys);
            user = u.ToString();
        }

        string? network = null;
        if (nics.Count > 0)
        {
            var n = new StringBuilder("version: 2\nethernets:\n");
            for (var i = 0; i < nics.Count; i++)
            {
                n.Append("  nic").Append(i.ToString(CultureInfo.InvariantCulture)).Append(":\n");
                n.Append("    match:\n      macaddress: ").Append(Quote(nics[i].Mac.ToLowerInvariant())).Append('\n');
                n.Append("    dhcp4: true\n");
            }
            network = n.ToString();
        }
        return new CloudInitSeed(meta.ToString(), user, network);
    }

    /// <summary>The files of the seed by name, as they go on the disk.</summary>
    public IEnumerable<(string Name, string Text)> Files()
    {
        yield return ("meta-data", MetaData);
        yield return ("user-data", UserData);
        if (NetworkConfig is not null) yield return ("network-config", NetworkConfig);
    }

    private static void AppendList(StringBuilder b, string key, IReadOnlyList<string> items)
    {
        if (items.Count == 0) return;
        b.Append(key).Append(":\n");
        foreach (var item in items) b.Append("  - ").Append(Quote(item)).Append('\n');
    }

    /// <summary>A YAML double-quoted scalar (JSON's string syntax is valid YAML), so no value can start a new key.</summary>
    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value, QuoteOptions);

    private static readonly System.Text.Json.JsonSerializerOptions QuoteOptions =
        new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
