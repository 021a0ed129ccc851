using System.Security.Claims;
using Octopus.Domain;

namespace Octopus.Application.Identity;

/// <summary>What a token may do. <see cref="Read"/>: GET and HEAD only. <see cref="Write"/>: every other method
/// too. <see cref="Admin"/>: the owner's administrator rights (without it an admin's token acts as an ordinary
/// user). Login tokens and web sessions carry all three; personal tokens carry what their owner chose.</summary>
[Flags]
public enum TokenScopes
{
    None = 0,
    Read = 1,
    Write = 2,
    Admin = 4,
    All = Read | Write | Admin,
}

/// <summary>Parsing, printing and enforcing <see cref="TokenScopes"/>.</summary>
public static class TokenScopeRules
{
    /// <summary>The claim type the authentication handlers put each scope in.</summary>
    public const string ClaimType = "octopus:scope";

    /// <summary>"read write" or "read,write" → Read | Write. Write implies read, admin implies both.</summary>
    public static TokenScopes Parse(IEnumerable<string>? names, string field = "scopes")
    {
        var scopes = TokenScopes.None;
        foreach (var raw in names ?? [])
        {
            foreach (var part in raw.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                scopes |= part.ToLowerInvariant() switch
                {
                    "read" => TokenScopes.Read,
                    "write" => TokenScopes.Read | TokenScopes.Write,
                    "admin" => TokenScopes.All,
                    _ => throw DomainException.Invalid(field, $"'{part}' is not a token scope; use read, write or admin."),
                };
            }
        }
        return scopes;
    }

    public static TokenScopes Parse(string? stored) => stored is null ? TokenScopes.All : Parse([stored]);

    /// <summary>"read write admin" (space-separated, the stored form and the API's).</summary>
    public static IReadOnlyList<string> Names(TokenScopes scopes) =>
        [.. new[] { TokenScopes.Read, TokenScopes.Write, TokenScopes.Admin }.Where(s => scopes.HasFlag(s)).Select(s => s.ToString().ToLowerInvariant())];

    public static string Format(TokenScopes scopes) => string.Join(' ', Names(scopes));

    public static IEnumerable<Claim> Claims(TokenScopes scopes) => Names(scopes).Select(n => new Claim(ClaimType, n));

    /// <summary>The scopes in a principal; a principal without scope claims (none of ours) has none.</summary>
    public static TokenScopes Of(ClaimsPrincipal principal) => Parse(principal.FindAll(ClaimType).Select(c => c.Value));
}
