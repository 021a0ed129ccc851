namespace Octopus.Domain.Users;

/// <summary>Identity of a user. Stable for its whole life; names may be reused, ids never are.</summary>
public readonly record struct UserId(Guid Value)
{
    public static UserId New() => new(Guid.CreateVersion7());
    public static bool TryParse(string? text, out UserId id)
    {
        id = default;
        if (!Guid.TryParse(text, out var g)) return false;
        id = new UserId(g);
        return true;
    }
    public override string ToString() => Value.ToString();
}
