namespace Octopus.Domain.Networks;

/// <summary>Identity of a network. Stable for its whole life; names may be reused, ids never are.</summary>
public readonly record struct NetworkId(Guid Value)
{
    public static NetworkId New() => new(Guid.CreateVersion7());
    public static bool TryParse(string? text, out NetworkId id)
    {
        id = default;
        if (!Guid.TryParse(text, out var g)) return false;
        id = new NetworkId(g);
        return true;
    }
    public override string ToString() => Value.ToString();
}
