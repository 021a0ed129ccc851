namespace Octopus.Client;

/// <summary>Filters for listing VMs; null means "any". Sent as query parameters (<c>?owner=&amp;state=&amp;host=&amp;tag=</c>);
/// the server applies them (a host may be named by id or name).</summary>
public sealed record VmQuery(string? Owner = null, string? State = null, string? Host = null, string? Tag = null)
{
    internal QueryString ToQueryString() =>
        QueryString.Empty.With("owner", Owner).With("state", State).With("host", Host).With("tag", Tag);
}

/// <summary>Filters for the audit log; null means "any". <see cref="Actor"/> is a user name; <see cref="Target"/> is
/// what the entry was about, as the server writes it (e.g. <c>vm/web1</c>).</summary>
public sealed record AuditQuery(string? Actor = null, string? Target = null)
{
    internal QueryString ToQueryString() => QueryString.Empty.With("actor", Actor).With("target", Target);
}
