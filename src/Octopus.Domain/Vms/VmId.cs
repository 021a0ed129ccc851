namespace Octopus.Domain.Vms;

/// <summary>Identity of a vm. Stable for its whole life; names may be reused, ids never are.</summary>
public readonly record struct VmId(Guid Value)
{
    public static VmId New() => new(Guid.CreateVersion7());
    public static bool TryParse(string? text, out VmId id)
    {
        id = default;
        if (!Guid.TryParse(text, out var g)) return false;
        id = new VmId(g);
        return true;
    }
    public override string ToString() => Value.ToString();
}
