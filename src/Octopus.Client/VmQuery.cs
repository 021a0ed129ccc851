namespace Octopus.Client;

/// <summary>Filters for listing VMs; null means "any". Sent as query parameters (<c>?owner=&amp;state=&amp;host=&amp;tag=</c>).</summary>
public sealed record VmQuery(string? Owner = null, string? State = null, string? Host = null, string? Tag = null)
{
    internal QueryString ToQueryString() =>
        QueryString.Empty.With("owner", Owner).With("state", State).With("host", Host).With("tag", Tag);

    /// <summary>True when <paramref name="vm"/> passes every filter; used to filter on the client too, so an older
    /// server that ignores a parameter cannot widen the result.</summary>
    public bool Matches(Contracts.VmDto vm) =>
        (Owner is null || string.Equals(vm.Owner, Owner, StringComparison.OrdinalIgnoreCase))
        && (State is null || string.Equals(vm.State, State, StringComparison.OrdinalIgnoreCase))
        && (Host is null || string.Equals(vm.Host, Host, StringComparison.OrdinalIgnoreCase))
        && (Tag is null || vm.Tags.Contains(Tag, StringComparer.OrdinalIgnoreCase));
}
