using Octopus.Domain.Users;
using Octopus.Application.Configuration;

namespace Octopus.Application.Identity;

/// <summary>The <c>Octopus:Identity</c> section as written: <c>Provider</c> (<c>local</c>, the default, or <c>ldap</c>)
/// and, for <c>ldap</c>, the <c>Ldap</c> section (<see cref="LdapSettings"/>).</summary>
public sealed class IdentitySection : ISettingsSection<IdentitySettings>
{
    public const string Section = "Octopus:Identity";
    public static string Path => Section;
    public string? Provider { get; set; }

    /// <summary>The directory's settings, used when <see cref="Provider"/> is <c>ldap</c>.</summary>
    public LdapSection? Ldap { get; set; }

    public IdentitySettings ToSettings() => IdentitySettings.From(this);
}

/// <summary>Validated identity settings: which provider checks passwords of users that are not local, and its settings.</summary>
public sealed record IdentitySettings(string Provider, LdapSettings? Ldap = null)
{
    public static IdentitySettings From(IConfiguration configuration) => SettingsSections.Read<IdentitySection, IdentitySettings>(configuration);

    public static IdentitySettings From(IdentitySection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return (section.Provider ?? User.LocalProvider).Trim().ToLowerInvariant() switch
        {
            "" or User.LocalProvider => new IdentitySettings(User.LocalProvider),
            LdapIdentityProvider.ProviderName => new IdentitySettings(LdapIdentityProvider.ProviderName, LdapSettings.From(section.Ldap ?? new LdapSection())),
            var other => throw new ConfigurationException($"{IdentitySection.Section}:Provider", $"'{other}' is not an identity provider; use 'local' or 'ldap'."),
        };
    }
}
