using System.Globalization;
using System.Text;
using Octopus.Disks.Collection;
using Octopus.Disks.Model;

namespace Octopus.Disks.Services;

/// <summary>Plain-text renderings for the CLI and logs (<c>octopus disk tree</c>, <c>vm snapshots</c>,
/// <c>disk gc --dry-run</c>), so every front end shows the same thing.</summary>
public static class DiskTreeText
{
    /// <summary>One line per disk, indented by depth: short id, label, file size, owner, and why it is alive.</summary>
    public static string Render(DiskTreeView view)
    {
        var sb = new StringBuilder();
        foreach (var root in view.Roots) Node(sb, root, view.Viewer, "", last: true, isRoot: true);
        sb.Append(CultureInfo.InvariantCulture, $"{view.DiskCount} disk(s), {view.TotalSize} in files");
        return sb.ToString();
    }

    /// <summary>A VM's snapshots as a tree, "(current)" marking where the VM runs now.</summary>
    public static string Render(IReadOnlyList<SnapshotNode> snapshots)
    {
        if (snapshots.Count == 0) return "no snapshots";
        var sb = new StringBuilder();
        void Walk(SnapshotNode n, string indent, bool last, bool isRoot)
        {
            var label = n.IsCurrent ? "(current)" : n.Disk.Role == DiskRole.Checkpoint
                ? $"{n.Name}  checkpoint by {n.Disk.Checkpoint?.Policy}, {n.Disk.Checkpoint?.TakenAt:yyyy-MM-dd HH:mm}"
                : $"{n.Name}  {n.Disk.CreatedAt:yyyy-MM-dd HH:mm}";
            sb.Append(indent).Append(isRoot ? "" : last ? "└─ " : "├─ ").AppendLine(label);
            var childIndent = isRoot ? indent : indent + (last ? "   " : "│  ");
            for (var i = 0; i < n.Children.Count; i++) Walk(n.Children[i], childIndent, i == n.Children.Count - 1, false);
        }
        foreach (var s in snapshots) Walk(s, "", true, true);
        return sb.ToString().TrimEnd();
    }

    /// <summary>What a collection did or would do, with bytes, then what waits and what is missing.</summary>
    public static string Render(GcReport report)
    {
        var sb = new StringBuilder();
        var verb = report.DryRun ? "would delete" : "deleted";
        sb.AppendLine(CultureInfo.InvariantCulture, $"{report.DisksMarked} disk(s) reachable; {verb} {report.Collected.Count} ({report.BytesFreed})");
        foreach (var c in report.Collected) sb.AppendLine(CultureInfo.InvariantCulture, $"  {verb} {c.Description}, {c.Size}");
        foreach (var p in report.Pending) sb.AppendLine(CultureInfo.InvariantCulture, $"  waiting until {p.DueAt:yyyy-MM-dd HH:mm}: {p.Description}");
        foreach (var m in report.Missing)
            sb.AppendLine(CultureInfo.InvariantCulture, $"  MISSING FILE {m.Disk.Id.FileName} for {m.Disk.Label}{(m.IsReachable ? " — still needed: restore it" : "")}");
        return sb.ToString().TrimEnd();
    }

    private static void Node(StringBuilder sb, DiskTreeNode n, Domain.Users.UserId? viewer, string indent, bool last, bool isRoot)
    {
        var d = n.Disk;
        var alive = n.KeptAliveBy.Count switch
        {
            0 => d.UnreachableSince is { } t ? $"unreachable since {t:yyyy-MM-dd HH:mm}" : "unreachable",
            1 => n.KeptAliveBy[0],
            var k => $"{n.KeptAliveBy[0]} (+{k - 1} more)",
        };
        sb.Append(indent).Append(isRoot ? "" : last ? "└─ " : "├─ ")
            .Append(CultureInfo.InvariantCulture, $"{d.Id.Value.ToString("N")[..8]}  {d.Label}  {(n.FileMissing ? "FILE MISSING" : n.FileSize.ToString())}  {Owner(d, viewer)}  [{alive}]")
            .AppendLine();
        var childIndent = isRoot ? indent : indent + (last ? "   " : "│  ");
        for (var i = 0; i < n.Children.Count; i++) Node(sb, n.Children[i], viewer, childIndent, i == n.Children.Count - 1, false);
    }

    /// <summary>A user's own view names no other owner: "owner you", "shared" (an image) or "owner another user".</summary>
    private static string Owner(Disk d, Domain.Users.UserId? viewer) => viewer switch
    {
        null => $"owner {d.Owner}",
        { } v when v == d.Owner => "owner you",
        _ when d.Role == DiskRole.Image => "shared",
        _ => "owner another user",
    };
}
