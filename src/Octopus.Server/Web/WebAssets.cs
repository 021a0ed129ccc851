using System.Collections.Concurrent;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace Octopus.Server.Web;

/// <summary>Serves the web UI (Web/wwwroot, embedded in this assembly) and noVNC (npm, embedded at build time): plain files,
/// no build step, no CDN.
/// <list type="bullet">
/// <item>The page (<c>/</c>) is revalidated on every load (<c>no-cache</c> and an ETag), so a new server never shows a stale
/// page. It names its stylesheet, scripts and icon under <c>/assets/{version}/…</c>, where the version is a hash of every
/// embedded file: those answers never change, so browsers keep them a year without asking (<c>immutable</c>). The
/// scripts import each other by relative paths, so every module the page loads comes from the same version.</item>
/// <item>The unversioned paths (<c>/app.css</c>, <c>/js/…</c>, <c>/vendor/novnc/…</c>, <c>/favicon.svg</c>, also
/// <c>/favicon.ico</c>) still answer, revalidated by ETag, as does an older version's path (a page loaded before an
/// upgrade that imports a module late gets today's file, revalidated, rather than a 404).</item>
/// <item>Text files (HTML, CSS, JavaScript, SVG, JSON, text) are sent Brotli- or gzip-compressed when the browser accepts
/// it (Brotli first), each encoding compressed once and kept; <c>Vary: Accept-Encoding</c> and an ETag per encoding.</item>
/// </list></summary>
public static partial class WebAssets
{
    /// <summary>The path prefix of long-cached assets; the next segment is <see cref="EmbeddedWebFiles.Version"/>.</summary>
    public const string AssetsPrefix = "/assets/";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8", [".css"] = "text/css; charset=utf-8", [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml", [".png"] = "image/png", [".ico"] = "image/x-icon", [".json"] = "application/json",
        [".txt"] = "text/plain; charset=utf-8",
    };

    private static readonly HashSet<string> Compressible = new(StringComparer.OrdinalIgnoreCase) { ".html", ".css", ".js", ".svg", ".json", ".txt" };

    /// <summary>Maps the page's routes; anything not found falls through to the API's 404 problem.</summary>
    public static void MapOctopusWeb(this IEndpointRouteBuilder app)
    {
        var files = new EmbeddedWebFiles(typeof(WebAssets).Assembly);
        app.MapGet("/", (HttpContext http) => files.Serve(http, "index.html", immutable: false)).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/app.css", (HttpContext http) => files.Serve(http, "app.css", immutable: false)).AllowAnonymous().ExcludeFromDescription();
        // Our own icon (an SVG), also at /favicon.ico, where browsers and crawlers look without being told.
        app.MapGet("/favicon.svg", (HttpContext http) => files.Serve(http, "favicon.svg", immutable: false)).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/favicon.ico", (HttpContext http) => files.Serve(http, "favicon.svg", immutable: false)).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/js/{**path}", (HttpContext http, string path) => files.Serve(http, "js/" + path, immutable: false)).AllowAnonymous().ExcludeFromDescription();
        // noVNC's ES modules (npm @novnc/novnc, embedded at build time; see the project file), for the graphical console.
        app.MapGet("/vendor/novnc/{**path}", (HttpContext http, string path) => files.Serve(http, "vendor/novnc/" + path, immutable: false))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapGet(AssetsPrefix + "{version}/{**path}", (HttpContext http, string version, string? path) =>
            files.Serve(http, path ?? "", immutable: version == files.Version && path != "index.html")).AllowAnonymous().ExcludeFromDescription();
    }

    /// <summary>The embedded files, read, hashed and compressed once each, on first use.</summary>
    private sealed class EmbeddedWebFiles
    {
        private readonly Assembly _assembly;
        private readonly ConcurrentDictionary<(string Name, string Encoding), Representation?> _cache = new();

        public EmbeddedWebFiles(Assembly assembly)
        {
            _assembly = assembly;
            _version = new Lazy<string>(Hash);
        }

        private readonly Lazy<string> _version;

        /// <summary>A hash of every embedded web file, worked out on first use (not at start-up): the current
        /// <c>/assets/{version}/</c>. It changes with any file's name or content.</summary>
        public string Version => _version.Value;

        private string Hash()
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var name in _assembly.GetManifestResourceNames().Where(n => n.StartsWith("web/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                hash.AppendData(Encoding.UTF8.GetBytes(name + "\n"));
                using var stream = _assembly.GetManifestResourceStream(name)!;
                var buffer = new byte[81920];
                int read;
                while ((read = stream.Read(buffer)) > 0) hash.AppendData(buffer, 0, read);
            }
            return Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
        }

        public IResult Serve(HttpContext http, string name, bool immutable)
        {
            var type = ContentTypes.GetValueOrDefault(Path.GetExtension(name));
            var found = name.Contains("..", StringComparison.Ordinal) || name.Length == 0 || type is null ? null : Get(name, "identity");
            if (found is null) throw Domain.DomainException.NotFound("File", "/" + name);
            var file = found;
            if (Compressible.Contains(Path.GetExtension(name)))
            {
                http.Response.Headers.Vary = "Accept-Encoding";
                var encoding = Choose(http.Request.Headers.AcceptEncoding.ToString());
                if (encoding != "identity" && Get(name, encoding) is { } compressed)
                {
                    file = compressed;
                    http.Response.Headers.ContentEncoding = encoding;
                }
            }
            http.Response.Headers.CacheControl = immutable ? "public, max-age=31536000, immutable" : "no-cache";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            if (name.EndsWith(".html", StringComparison.Ordinal))
            {
                // No inline scripts or styles, no outside origins: a stray injection cannot run.
                http.Response.Headers.ContentSecurityPolicy =
                    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
                http.Response.Headers.XFrameOptions = "DENY";
            }
            return Results.Bytes(file.Bytes, type, entityTag: new EntityTagHeaderValue(file.ETag));
        }

        /// <summary>Brotli when the browser accepts it, else gzip, else none; an encoding given <c>q=0</c> is refused.</summary>
        internal static string Choose(string acceptEncoding)
        {
            var accepted = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
            foreach (var part in acceptEncoding.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var pieces = part.Split(';', StringSplitOptions.TrimEntries);
                var q = 1.0;
                foreach (var p in pieces.Skip(1))
                    if (p.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                        && double.TryParse(p.AsSpan(2), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v))
                        q = v;
                accepted[pieces[0]] = q;
            }
            double Q(string e) => accepted.TryGetValue(e, out var q) ? q : accepted.TryGetValue("*", out var any) ? any : 0;
            return Q("br") > 0 ? "br" : Q("gzip") > 0 ? "gzip" : "identity";
        }

        private Representation? Get(string name, string encoding) => _cache.GetOrAdd((name, encoding), key => Load(key.Name, key.Encoding));

        private Representation? Load(string name, string encoding)
        {
            byte[] bytes;
            if (encoding == "identity")
            {
                using var stream = _assembly.GetManifestResourceStream("web/" + name);
                if (stream is null) return null;
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                bytes = copy.ToArray();
                // The page names its assets under this build's version, so they can be cached for good.
                if (name == "index.html") bytes = Encoding.UTF8.GetBytes(Versioned(Encoding.UTF8.GetString(bytes)));
            }
            else
            {
                if (Get(name, "identity") is not { } plain) return null;
                using var output = new MemoryStream();
                using (Stream compressor = encoding == "br"
                    ? new BrotliStream(output, CompressionLevel.SmallestSize, leaveOpen: true)
                    : new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
                    compressor.Write(plain.Bytes);
                bytes = output.ToArray();
                // Not worth it (a tiny file): send it plain.
                if (bytes.Length >= plain.Bytes.Length) return null;
            }
            var tag = Convert.ToHexString(SHA256.HashData(bytes))[..16] + (encoding == "identity" ? "" : "-" + encoding);
            return new Representation(bytes, "\"" + tag + "\"");
        }

        /// <summary>The page's own references to its stylesheet, icon and scripts, moved under this build's version.</summary>
        private string Versioned(string html) =>
            AssetReference().Replace(html, m => $"{m.Groups[1].Value}=\"{AssetsPrefix}{Version}/{m.Groups[2].Value}\"");
    }

    [System.Text.RegularExpressions.GeneratedRegex("(href|src)=\"/(app\\.css|favicon\\.svg|js/[^\"]+)\"")]
    private static partial System.Text.RegularExpressions.Regex AssetReference();

    private sealed record Representation(byte[] Bytes, string ETag);
}
