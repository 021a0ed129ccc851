using System.Globalization;
using Octopus.Contracts;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Octopus.Cli.Rendering;

/// <summary>The people-facing views of the API's records: one method per shape, no I/O.</summary>
public static class Views
{
    private static string E(string? s) => Markup.Escape(Format.OrDash(s));

    public static IRenderable VmTable(Output output, IEnumerable<VmDto> vms)
    {
        var table = output.NewTable("NAME", "STATE", "HOST", "CORES", "MEMORY", "DISK", "IMAGE", "OWNER", "TAGS", "ID");
        foreach (var vm in vms)
        {
            table.AddRow(E(vm.Name), Format.StateMarkup(vm.State), E(vm.Host), vm.Cores.ToString(CultureInfo.InvariantCulture),
                E(Format.Bytes(vm.MemoryBytes)), E(Format.Bytes(vm.DiskBytes)), E(vm.Image), E(vm.Owner),
                E(string.Join(",", vm.Tags)), E(vm.Id));
        }
        return table;
    }

    public static IRenderable VmDetails(VmDto vm)
    {
        var grid = Details();
        Row(grid, "Name", E(vm.Name));
        Row(grid, "Id", E(vm.Id));
        Row(grid, "Owner", E(vm.Owner));
        Row(grid, "State", Format.StateMarkup(vm.State) + (vm.StatusReason is { Length: > 0 } r ? " — " + Markup.Escape(r) : ""));
        Row(grid, "Wanted", E(vm.Spec));
        Row(grid, "Host", E(vm.Host));
        Row(grid, "Cores", vm.Cores.ToString(CultureInfo.InvariantCulture));
        Row(grid, "Memory", E(Format.Bytes(vm.MemoryBytes)));
        Row(grid, "Disk", E(Format.Bytes(vm.DiskBytes)));
        Row(grid, "Image", E(vm.Image));
        Row(grid, "Tags", E(string.Join(", ", vm.Tags)));
        Row(grid, "CPU load", Format.Percent(vm.CpuLoad));
        Row(grid, "Created", Format.Time(vm.CreatedAt));
        Row(grid, "State since", Format.Time(vm.StateChangedAt));
        Row(grid, "Started", Format.Time(vm.StartedAt));
        Row(grid, "Lease expires", Format.Time(vm.LeaseExpiresAt));
        var nics = vm.Nics ?? [];
        for (var i = 0; i < nics.Count; i++)
            Row(grid, i == 0 ? "NICs" : "", Markup.Escape($"{nics[i].Network}  {nics[i].Mac}  {nics[i].Ip}  {nics[i].DnsName}"));
        if (nics.Count == 0) Row(grid, "NICs", E(null));
        var keys = vm.SshKeys ?? [];
        for (var i = 0; i < keys.Count; i++) Row(grid, i == 0 ? "SSH keys" : "", Markup.Escape(keys[i]));
        if (vm.UserDataBytes is { } ud) Row(grid, "User-data", E($"{ud.ToString(CultureInfo.InvariantCulture)} bytes"));
        return grid;
    }

    public static IRenderable NetworkTable(Output output, IEnumerable<NetworkDto> networks)
    {
        var table = output.NewTable("NAME", "SUBNET", "GATEWAY", "RANGE", "DOMAIN", "BRIDGE", "VLAN", "USED", "FREE");
        foreach (var n in networks)
        {
            table.AddRow(E(n.Name), E(n.Subnet), E(n.Gateway), E(n.Range), E(n.Domain), E(n.Bridge),
                E(n.Vlan?.ToString(CultureInfo.InvariantCulture)), n.Used.ToString(CultureInfo.InvariantCulture), n.Free.ToString(CultureInfo.InvariantCulture));
        }
        return table;
    }

    public static IRenderable NetworkDetails(NetworkDto n)
    {
        var grid = Details();
        Row(grid, "Name", E(n.Name));
        Row(grid, "Id", E(n.Id));
        Row(grid, "Subnet", E(n.Subnet));
        Row(grid, "Gateway", E(n.Gateway));
        Row(grid, "Range", E(n.Range));
        Row(grid, "Domain", E(n.Domain));
        Row(grid, "Bridge", E(n.Bridge));
        Row(grid, "VLAN", E(n.Vlan is { } v ? v.ToString(CultureInfo.InvariantCulture) : "untagged"));
        Row(grid, "Addresses", E($"{n.Used} used, {n.Free} free of {n.Size}"));
        Row(grid, "Users", E(n.Users.Count == 0 ? "everyone" : string.Join(", ", n.Users)));
        Row(grid, "Created", Format.Time(n.CreatedAt));
        return grid;
    }

    /// <summary>A network's used addresses, each with its VM, in the order the server gives (numeric address order).</summary>
    public static IRenderable NetworkAddresses(Output output, IReadOnlyList<NetworkAddressDto> addresses)
    {
        var table = output.NewTable("ADDRESS", "VM", "OWNER", "DNS NAME", "MAC");
        foreach (var a in addresses) table.AddRow(E(a.Ip), E(a.VmName), E(a.Owner), E(a.DnsName), E(a.Mac));
        return table;
    }

    /// <summary>The placement decision: a summary line, then every host with its verdict, scores or rejections.</summary>
    public static IRenderable Placement(Output output, PlacementDto p)
    {
        var header = new Markup(
            $"[bold]{Markup.Escape(p.Vm)}[/]: {Markup.Escape(p.Summary)}\n" +
            $"strategy {Markup.Escape(p.Strategy)}, decided {Markup.Escape(Format.Time(p.DecidedAt))}, " +
            $"chosen host {(p.ChosenHost is null ? "[yellow]none[/]" : "[green]" + Markup.Escape(p.ChosenHost) + "[/]")}\n");
        var table = output.NewTable("HOST", "VERDICT", "SCORE", "WHY");
        var ordered = p.Hosts
            .OrderByDescending(h => string.Equals(h.Host, p.ChosenHost, StringComparison.OrdinalIgnoreCase))
            .ThenByDescending(h => h.Feasible)
            .ThenByDescending(h => h.TotalScore ?? double.MinValue)
            .ThenBy(h => h.Host, StringComparer.Ordinal);
        foreach (var h in ordered)
        {
            var chosen = string.Equals(h.Host, p.ChosenHost, StringComparison.OrdinalIgnoreCase);
            var verdict = chosen ? "[green]chosen[/]" : h.Feasible ? "feasible" : "[red]rejected[/]";
            var why = h.Feasible
                ? string.Join("\n", h.Scores.Select(s => Markup.Escape(
                    $"{s.Plugin}: raw {Format.Number(s.Raw, "0.###")} → {Format.Number(s.Normalized)} × {Format.Number(s.Weight, "0.##")}")))
                : string.Join("\n", h.Rejections.Select(r => Markup.Escape($"{r.Plugin} ({r.Code}): {r.Reason}")));
            table.AddRow(new Markup(E(h.Host)), new Markup(verdict),
                new Markup(h.TotalScore is { } t ? Format.Number(t, "0.##") : "-"), new Markup(why.Length == 0 ? "-" : why));
        }
        // Reasons are long: let that column wrap.
        table.Columns[3].NoWrap = false;
        return new Rows(header, table);
    }

    /// <summary>A consolidation plan: one row per step (kind, what, reason, expected saving, and the result once applied).</summary>
    public static IRenderable PlanTable(Output output, PlanDto plan)
    {
        var applied = plan.Steps.Any(s => s.Result is not null);
        var table = applied ? output.NewTable("STEP", "WHAT", "WATTS SAVED", "REASON", "RESULT") : output.NewTable("STEP", "WHAT", "WATTS SAVED", "REASON");
        foreach (var s in plan.Steps)
        {
            var what = s.Kind == "migrate" ? $"{s.Vm}: {s.From} -> {s.To}" : s.Host;
            var cells = new List<string> { E(s.Kind), E(what), Format.Number(s.WattsSaved, "0.#"), E(s.Reason) };
            if (applied) cells.Add(E(s.Result));
            table.AddRow([.. cells]);
        }
        return table;
    }

    public static IRenderable HostTable(Output output, IEnumerable<HostDto> hosts)
    {
        var table = output.NewTable("NAME", "POWER", "CORES", "MEMORY", "DISK", "LOAD", "WATTS", "VMS");
        foreach (var h in hosts)
        {
            table.AddRow(E(h.Name), Format.PowerMarkup(h.PowerState, h.Maintenance),
                $"{h.AllocatedCores}/{h.Cores}", E(Format.BytesOf(h.AllocatedMemoryBytes, h.MemoryBytes)),
                E(Format.BytesOf(h.AllocatedDiskBytes, h.DiskBytes)), Format.Percent(h.CpuLoad), Format.Number(h.PowerWatts, "0"),
                h.VmCount.ToString(CultureInfo.InvariantCulture));
        }
        return table;
    }

    public static IRenderable HostDetails(HostDto h)
    {
        var grid = Details();
        Row(grid, "Name", E(h.Name));
        Row(grid, "Id", E(h.Id));
        Row(grid, "Power", Format.PowerMarkup(h.PowerState, h.Maintenance));
        Row(grid, "Cores", $"{h.AllocatedCores} of {h.Cores} allocated ({Format.Number(h.MipsPerCore, "0")} MIPS each)");
        Row(grid, "Memory", E($"{Format.Bytes(h.AllocatedMemoryBytes)} of {Format.Bytes(h.MemoryBytes)} allocated"));
        Row(grid, "Disk", E($"{Format.Bytes(h.AllocatedDiskBytes)} of {Format.Bytes(h.DiskBytes)} allocated"));
        Row(grid, "CPU load", Format.Percent(h.CpuLoad));
        Row(grid, "Power draw", Format.Number(h.PowerWatts, "0.#") + " W");
        Row(grid, "VMs", h.Vms.Count == 0 ? "-" : E(string.Join(", ", h.Vms)));
        if (h.PowerConfig is not null) Row(grid, "Power control", E(Commands.HostCommands.Describe(h.PowerConfig)));
        if (h.MaintenanceStatus is { } m)
        {
            // What the maintenance waits for, and why (the VMs that cannot move yet, with the scheduler's reason).
            Row(grid, "Maintenance", E(m.Summary));
            foreach (var w in m.Waiting) Row(grid, "", E($"{w.Name}: {w.Reason}"));
        }
        return grid;
    }

    public static IRenderable UserTable(Output output, IEnumerable<UserDto> users)
    {
        var table = output.NewTable("NAME", "ROLE", "VMS", "CORES", "MEMORY", "DISK", "CREATED");
        foreach (var u in users)
        {
            table.AddRow(E(u.Username), E(u.Role),
                $"{u.Usage.Vms}/{Format.Limit(u.Quota.MaxVms)}", $"{u.Usage.Cores}/{Format.Limit(u.Quota.MaxCores)}",
                E($"{Format.Bytes(u.Usage.MemoryBytes)}/{Format.Limit(u.Quota.MaxMemoryBytes)}"),
                E($"{Format.Bytes(u.Usage.DiskBytes)}/{Format.Limit(u.Quota.MaxDiskBytes)}"), Format.Time(u.CreatedAt));
        }
        return table;
    }

    public static IRenderable QuotaDetails(string username, string role, QuotaDto quota, QuotaUsageDto usage, string? provider = null)
    {
        var grid = Details();
        Row(grid, "User", E(username));
        Row(grid, "Role", E(role));
        if (provider is not null)
            Row(grid, "Account", provider == "local" ? "local (password kept by Octopus)" : E($"{provider} (password kept by the directory)"));
        Row(grid, "VMs", $"{usage.Vms} of {Format.Limit(quota.MaxVms)}");
        Row(grid, "Cores", $"{usage.Cores} of {Format.Limit(quota.MaxCores)}");
        Row(grid, "Memory", E($"{Format.Bytes(usage.MemoryBytes)} of {Format.Limit(quota.MaxMemoryBytes)}"));
        Row(grid, "Disk", E($"{Format.Bytes(usage.DiskBytes)} of {Format.Limit(quota.MaxDiskBytes)}"));
        return grid;
    }

    public static IRenderable AuditTable(Output output, IEnumerable<AuditEntryDto> entries)
    {
        var table = output.NewTable("AT", "ACTOR", "ACTION", "TARGET", "RESULT");
        foreach (var a in entries)
        {
            var result = a.Succeeded ? "[green]" + E(a.Result) + "[/]" : "[red]" + E(a.Result) + "[/]";
            table.AddRow(Format.Time(a.At), E(a.Actor), E(a.Action), E(a.Target), result);
        }
        table.Columns[4].NoWrap = false;
        return table;
    }

    public static IRenderable OperationTable(Output output, IEnumerable<OperationDto> ops)
    {
        var table = output.NewTable("ID", "CREATED", "KIND", "ON", "BY", "STATUS", "LAST STEP / ERROR");
        foreach (var o in ops)
        {
            var on = o.Vm ?? (o.VmId is not null ? $"vm {o.VmId[..8]}… (deleted)" : o.Host ?? "-");
            if (o.TargetHost is not null) on += " → " + o.TargetHost;
            var detail = o.Status == "Failed" ? "[red]" + E(o.Error ?? "failed") + "[/]" : E(o.Steps.Count > 0 ? o.Steps[^1].Text : "-");
            table.AddRow(E(o.Id), Format.Time(o.CreatedAt), E(o.Kind), E(on), E(o.Actor), OperationStatusMarkup(o.Status), detail);
        }
        table.Columns[6].NoWrap = false;
        return table;
    }

    public static IRenderable OperationDetails(OperationDto o)
    {
        var grid = Details();
        Row(grid, "Operation", E(o.Id));
        Row(grid, "Kind", E(o.Kind));
        if (o.Vm is not null || o.VmId is not null) Row(grid, "VM", E(o.Vm ?? o.VmId + " (deleted)"));
        if (o.Host is not null) Row(grid, "Host", E(o.Host));
        if (o.TargetHost is not null) Row(grid, "To", E(o.TargetHost));
        Row(grid, "By", E(o.Actor));
        if (o.Reason is not null) Row(grid, "Why", E(o.Reason));
        Row(grid, "Status", OperationStatusMarkup(o.Status) + (o.Attempts > 1 ? $" (attempt {o.Attempts})" : ""));
        Row(grid, "Created", Format.Time(o.CreatedAt));
        if (o.CompletedAt is { } done) Row(grid, "Completed", $"{Format.Time(done)} ({Format.Number((done - o.CreatedAt).TotalSeconds, "0.0")} s)");
        if (o.Error is not null) Row(grid, "Error", $"[red]{E(o.Error)}[/]" + (o.ErrorCode is null ? "" : $" ({E(o.ErrorCode)})"));
        foreach (var s in o.Steps) Row(grid, Format.Time(s.At), E(s.Text));
        return grid;
    }

    private static string OperationStatusMarkup(string status) => status switch
    {
        "Succeeded" => "[green]Succeeded[/]",
        "Failed" => "[red]Failed[/]",
        "Running" => "[yellow]Running[/]",
        _ => E(status),
    };

    public static IRenderable ImageTable(Output output, IEnumerable<ImageDto> images)
    {
        var table = output.NewTable("NAME", "SIZE", "SOURCE", "CLOUD-INIT");
        foreach (var i in images) table.AddRow(E(i.Name), E(Format.Bytes(i.SizeBytes)), E(i.Source), i.CloudInit ? "yes" : "no");
        return table;
    }

    public static IRenderable Health(Uri url, HealthDto h)
    {
        var grid = Details();
        var colour = string.Equals(h.Status, "ok", StringComparison.OrdinalIgnoreCase) || string.Equals(h.Status, "healthy", StringComparison.OrdinalIgnoreCase)
            ? "green" : "yellow";
        Row(grid, "Server", E(url.ToString()));
        Row(grid, "Status", $"[{colour}]{E(h.Status)}[/]");
        Row(grid, "Version", E(h.Version));
        Row(grid, "Store", E(h.Store));
        Row(grid, "Driver", E(h.Driver));
        Row(grid, "Hosts", $"{h.Hosts} ({h.HostsOn} on)");
        Row(grid, "VMs", h.Vms.ToString(CultureInfo.InvariantCulture));
        return grid;
    }

    public static IRenderable Cluster(Output output, ClusterDto c)
    {
        var table = output.NewTable("REPLICA", "ADDRESS", "ROLE", "STARTED", "LAST SEEN");
        foreach (var r in c.Replicas)
        {
            var role = r.Leader ? (r.Alive ? "[green]leader[/]" : "[red]leader (silent)[/]") : r.Alive ? "follower" : "[grey]gone[/]";
            var id = r.Id.ToString()[..8] + (r.Id == c.Self ? " (this)" : "");
            table.AddRow(E(id), E(r.Address), role, E(Format.Time(r.StartedAt)), E(Format.Time(r.LastSeenAt)));
        }
        return new Rows(Summary(), table);

        Grid Summary()
        {
            var grid = Details();
            Row(grid, "Store", E(c.Store));
            Row(grid, "Term", c.Term.ToString(CultureInfo.InvariantCulture));
            var leader = c.Replicas.FirstOrDefault(r => r.Id == c.LeaderId);
            Row(grid, "Leader", c.LeaderId is null ? "none yet"
                : E($"{c.LeaderId.Value.ToString()[..8]} ({leader?.Address ?? "unknown"}) since {(c.LeaderSince is { } s ? Format.Time(s) : "?")}"));
            return grid;
        }
    }

    private static Grid Details()
    {
        var grid = new Grid();
        grid.AddColumn(new GridColumn().NoWrap().PadRight(2));
        grid.AddColumn();
        return grid;
    }

    private static void Row(Grid grid, string label, string valueMarkup) =>
        grid.AddRow(new Markup($"[bold]{Markup.Escape(label)}[/]"), new Markup(valueMarkup));
}
