using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Octopus.Domain.Users;

namespace Octopus.Application.Identity;

/// <summary>The one way the server hashes and checks passwords. Two guarantees: at most
/// <see cref="LoginSettings.HashConcurrency"/> hashes run at once and at most <see cref="LoginSettings.HashQueue"/> wait
/// (beyond that <see cref="LoginRefusedException"/> <c>auth.busy</c>), so a login flood cannot take every core from the
/// API; and checking a password for a user that does not exist costs one full hash (against a dummy hash made at
/// start), so the answer time does not tell which names exist.</summary>
public sealed class PasswordHashing : IDisposable
{
    private readonly IPasswordHasher _hasher;
    private readonly ConcurrencyLimiter _slots;
    private readonly Lazy<(User User, string Hash)> _dummy;

    public PasswordHashing(IPasswordHasher hasher, LoginSettings settings, TimeProvider time)
    {
        _hasher = hasher;
        _slots = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = settings.HashConcurrency, QueueLimit = settings.HashQueue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _dummy = new Lazy<(User, string)>(() =>
        {
            var user = User.Create(UserName.Parse("nobody"), UserRole.User, "", Quota.Unlimited, time.GetUtcNow());
            return (user, hasher.HashPassword(user, Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))));
        });
    }

    /// <summary>True when <paramref name="password"/> is <paramref name="user"/>'s. A null user, or one without a
    /// local password, is checked against the dummy hash and is always false.</summary>
    public async Task<bool> VerifyAsync(User? user, string password, CancellationToken ct)
    {
        var dummy = _dummy.Value; // made before taking a slot, so its one-time cost is not counted against a login
        using var lease = await AcquireAsync(ct);
        if (user is null || string.IsNullOrEmpty(user.PasswordHash))
        {
            _hasher.VerifyHashedPassword(dummy.User, dummy.Hash, password);
            return false;
        }
        return _hasher.VerifyHashedPassword(user, user.PasswordHash, password);
    }

    /// <summary>A new hash of <paramref name="password"/> for <paramref name="user"/>.</summary>
    public async Task<string> HashAsync(User user, string password, CancellationToken ct)
    {
        using var lease = await AcquireAsync(ct);
        return _hasher.HashPassword(user, password);
    }

    private async Task<RateLimitLease> AcquireAsync(CancellationToken ct)
    {
        var lease = await _slots.AcquireAsync(1, ct);
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        throw new LoginRefusedException("auth.busy", "The server is busy checking other logins; retry in a second.", TimeSpan.FromSeconds(1));
    }

    public void Dispose() => _slots.Dispose();
}
