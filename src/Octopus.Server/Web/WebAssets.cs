using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Octopus.Server.Web;

/// <summary>Serves the web UI (Web/wwwroot, embedded in this assembly) at <c>/</c>, <c>/app.css</c>, <c>/favicon.svg</c> (also
/// <c>/favicon.ico</c>) and <c>/js/...</c>, and noVNC (npm, embedded at build time) at <c>/vendor/novnc/...</c>:
/// plain files, no build step, no CDN. Revalidated by ETag on every load so a new server never shows a stale page.</summary>
public static class WebAssets
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8", [".css"] = "text/css; charset=utf-8", [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml", [".png"] = "image/png", [".ico"] = "image/x-icon", [".json"] = "application/json",
        [".txt"] = "text/plain; charset=utf-8",
    };

    /// <summary>Maps the page's routes; anything not found falls through to the API's 404 problem.</summary>
    public static void MapOctopusWeb(this IEndpointRouteBuilder app)
    {
        var files = new EmbeddedWebFiles(typeof(WebAssets).Assembly);
        app.MapGet("/", (HttpContext http) => files.Serve(http, "index.html")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/app.css", (HttpContext http) => files.Serve(http, "app.css")).AllowAnonymous().ExcludeFromDescription();
        // Our own icon (an SVG), also at /favicon.ico, where browsers and crawlers look without being told.
        app.MapGet("/favicon.svg", (HttpContext http) => files.Serve(http, "favicon.svg")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/favicon.ico", (HttpContext http) => files.Serve(http, "favicon.svg")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/js/{**path}", (HttpContext http, string path) => files.Serve(http, "js/" + path)).AllowAnonymous().ExcludeFromDescription();
        // noVNC's ES modules (npm @novnc/novnc, embedded at build time; see the project file), for the graphical console.
        app.MapGet("/vendor/novnc/{**path}", (HttpContext http, string path) => files.Serve(http, "vendor/novnc/" + path)).AllowAnonymous().ExcludeFromDescription();
    }

    private sealed class EmbeddedWebFiles(System.Reflection.Assembly assembly)
    {
        private readonly ConcurrentDictionary<string, (byte[] Bytes, string ETag)?> _cache = new(StringComparer.Ordinal);

        public IResult Serve(HttpContext http, string name)
        {
            var type = ContentTypes.GetValueOrDefault(Path.GetExtension(name));
            var file = name.Contains("..", StringComparison.Ordinal) || type is null ? null : _cache.GetOrAdd(name, Load);
            if (file is not { } f) throw Domain.DomainException.NotFound("File", "/" + name);
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            if (name.EndsWith(".html", StringComparison.Ordinal))
            {
                // No inline scripts or styles, no outside origins: a stray injection cannot run.
                http.Response.Headers.ContentSecurityPolicy =
                    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
                http.Response.Headers.XFrameOptions = "DENY";
            }
            return Results.Bytes(f.Bytes, type, entityTag: new EntityTagHeaderValue(f.ETag));
        }

        private (byte[], string)? Load(string name)
        {
            using var stream = assembly.GetManifestResourceStream("web/" + name);
            if (stream is null) return null;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            return (bytes, "\"" + Convert.ToHexString(SHA256.HashData(bytes))[..16] + "\"");
        }
    }
}
