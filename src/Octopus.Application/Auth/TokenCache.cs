using System.Collections.Concurrent;
using Octopus.Domain.Users;

namespace Octopus.Application.Auth;

/// <summary>The tokens this server process resolved lately (hash → user and scopes), kept for <see cref="Ttl"/>, since
/// every request resolves its token. A change this process makes takes effect at once: a token deleted (revoked, logged
/// out, a user's logins ended) is forgotten, and so is every token of a user changed or deleted (disabled, role or
/// password changed) — by <see cref="TokenCacheInvalidator"/> as the change is saved, and by the commands that delete
/// tokens in bulk. A change made through another server replica is seen here within <see cref="Ttl"/>.</summary>
public sealed class TokenCache(TimeProvider time)
{
    /// <summary>How long a resolved token is trusted without reading the store again.</summary>
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);

    /// <summary>At most this many tokens are kept; past it the cache starts again empty (a flood of distinct tokens
    /// cannot grow it without bound).</summary>
    public const int MaxEntries = 10_000;

    private sealed record Entry(ResolvedToken Token, DateTimeOffset TokenExpires, DateTimeOffset Until);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>Stamped before a token is read from the store, and given back to <see cref="Set"/>: a read that overlapped
    /// a change (whose stamp moved on) is not kept, so it cannot bring back what the change made invalid.</summary>
    public long Stamp() => Interlocked.Read(ref _generation);

    public ResolvedToken? Get(string hash)
    {
        if (!_entries.TryGetValue(hash, out var entry)) return null;
        var now = time.GetUtcNow();
        if (entry.Until > now && entry.TokenExpires > now) return entry.Token;
        _entries.TryRemove(new KeyValuePair<string, Entry>(hash, entry));
        return null;
    }

    public void Set(string hash, ResolvedToken token, DateTimeOffset tokenExpires, long stamp)
    {
        if (_entries.Count >= MaxEntries) _entries.Clear();
        _entries[hash] = new Entry(token, tokenExpires, time.GetUtcNow() + Ttl);
        if (Interlocked.Read(ref _generation) != stamp) _entries.TryRemove(hash, out _); // a change came meanwhile
    }

    public void ForgetToken(string hash)
    {
        Interlocked.Increment(ref _generation);
        _entries.TryRemove(hash, out _);
    }

    public void ForgetUser(UserId user)
    {
        Interlocked.Increment(ref _generation);
        foreach (var (hash, entry) in _entries)
            if (entry.Token.User.Id == user) _entries.TryRemove(hash, out _);
    }
}
