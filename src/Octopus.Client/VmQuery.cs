namespace Octopus.Client;

/// <summary>Filters for listing VMs; null means "any". Sent as query parameters (<c>?owner=&amp;state=&amp;host=&amp;tag=</c>);
/// the server applies them (a host may be named by id or name).</summary>
public sealed record VmQuery(string? Owner = null, string? State = null, string? Host = null, string? Tag = null)
{
    internal QueryString ToQueryString() =>
        QueryString.Empty.With("owner", Owner).With("state", State).With("host", Host).With("tag", Tag);
}
