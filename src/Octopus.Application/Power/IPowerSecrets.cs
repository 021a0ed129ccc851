namespace Octopus.Application.Power;

/// <summary>Seals BMC passwords for the store and opens them for a power driver: the store only ever holds the sealed
/// text. The server seals with ASP.NET Core Data Protection (Octopus.Server's <c>PowerSecrets</c>).</summary>
public interface IPowerSecrets
{
    string Seal(string password);

    /// <summary>The password, or a <see cref="Drivers.PowerControlException"/> when the key that sealed it is gone.</summary>
    string Open(string sealedPassword);
}
