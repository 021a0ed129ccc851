using System.DirectoryServices.Protocols;
using System.Runtime.InteropServices;

namespace Octopus.Application.Identity;

/// <summary>Bounds the calls System.DirectoryServices.Protocols makes synchronously into libldap on Linux (the bind,
/// StartTLS, the TCP connect). <see cref="LdapConnection.Timeout"/> only bounds searches: a directory that accepts the
/// connection and never answers would hold a bind, and a server thread, for ever. libldap copies its global options
/// into each handle when the handle is made (in the LdapConnection constructor), so <see cref="Create"/> sets the
/// global LDAP_OPT_TIMEOUT and LDAP_OPT_NETWORK_TIMEOUT and makes the connection under one lock.</summary>
internal static class LdapNativeTimeouts
{
    private const int LdapOptTimeout = 0x5002;
    private const int LdapOptNetworkTimeout = 0x5005;
    private static readonly Lock Gate = new();
    private static readonly SetOption? Set = Load();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetOption(IntPtr ld, int option, ref TimeVal value);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeVal
    {
        public nint Seconds;
        public nint Microseconds;
    }

    /// <summary>True when libldap was found and its timeouts can be set (always on Debian with libldap installed).</summary>
    public static bool Available => Set is not null;

    /// <summary>A new connection whose synchronous libldap calls give up after <paramref name="timeout"/>.</summary>
    public static LdapConnection Create(LdapDirectoryIdentifier server, TimeSpan timeout)
    {
        if (Set is null) return new LdapConnection(server, null, AuthType.Basic) { Timeout = timeout };
        var value = new TimeVal { Seconds = (nint)(long)timeout.TotalSeconds, Microseconds = timeout.Microseconds + timeout.Milliseconds * 1000 };
        lock (Gate)
        {
            Set(IntPtr.Zero, LdapOptTimeout, ref value);
            Set(IntPtr.Zero, LdapOptNetworkTimeout, ref value);
            return new LdapConnection(server, null, AuthType.Basic) { Timeout = timeout };
        }
    }

    /// <summary>The libldap System.DirectoryServices.Protocols loads (same names, same order), or null on Windows or
    /// when it is missing (then the first LDAP call fails with its own clear error).</summary>
    private static SetOption? Load()
    {
        if (OperatingSystem.IsWindows()) return null;
        foreach (var name in new[] { "libldap.so.2", "libldap-2.6.so.0", "libldap-2.5.so.0", "libldap-2.4.so.2", "libldap.dylib" })
        {
            if (NativeLibrary.TryLoad(name, out var library) && NativeLibrary.TryGetExport(library, "ldap_set_option", out var export))
                return Marshal.GetDelegateForFunctionPointer<SetOption>(export);
        }
        return null;
    }
}
