// Bridges, taps, dnsmasq and nftables exist on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
