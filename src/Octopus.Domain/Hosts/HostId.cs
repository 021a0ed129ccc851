namespace Octopus.Domain.Hosts;

/// <summary>Identity of a host. Stable for its whole life; names may be reused, ids never are.</summary>
public readonly record struct HostId(Guid Value)
{
    public static HostId New() => new(Guid.CreateVersion7());
    public static bool TryParse(string? text, out HostId id)
    {
        id = default;
        if (!Guid.TryParse(text, out var g)) return false;
        id = new HostId(g);
        return true;
    }
    public override string ToString() => Value.ToString();
}
