using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Users;
using Octopus.Persistence;

namespace Octopus.Application.Identity;

/// <summary>Picks the provider that checks a name: a local user (the break-glass admin, users an admin created) always
/// goes to <see cref="LocalIdentityProvider"/>; any other name goes to the configured provider
/// (<see cref="IdentitySettings.Provider"/>).</summary>
public sealed class IdentityProviders(OctopusDbContext db, IdentitySettings settings, IEnumerable<IIdentityProvider> all)
{
    public async Task<IIdentityProvider> ForAsync(UserName name, CancellationToken ct)
    {
        var local = all.First(p => p.Name == User.LocalProvider);
        if (settings.Provider == User.LocalProvider) return local;
        var provider = await db.Users.AsNoTracking().Where(u => u.Name == name).Select(u => u.Provider).FirstOrDefaultAsync(ct);
        return provider == User.LocalProvider ? local : all.First(p => p.Name == settings.Provider);
    }
}
