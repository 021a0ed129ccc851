namespace Octopus.Domain.Operations;

/// <summary>Identity of a operation. Stable for its whole life; names may be reused, ids never are.</summary>
public readonly record struct OperationId(Guid Value)
{
    public static OperationId New() => new(Guid.CreateVersion7());
    public static bool TryParse(string? text, out OperationId id)
    {
        id = default;
        if (!Guid.TryParse(text, out var g)) return false;
        id = new OperationId(g);
        return true;
    }
    public override string ToString() => Value.ToString();
}
