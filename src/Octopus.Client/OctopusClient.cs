using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>Typed async client for the Octopus REST API. Operations are grouped by resource (<see cref="Vms"/>,
/// <see cref="Hosts"/>, <see cref="Users"/>, <see cref="Audit"/>, <see cref="Images"/>). Refusals surface as
/// <see cref="OctopusApiException"/> with the server's message; an unreachable server as
/// <see cref="OctopusConnectionException"/>. GETs are retried on transient failures; commands are not.</summary>
/// <example>
/// <code>
/// var token = await OctopusClient.LoginAsync(new Uri("http://127.0.0.1:5080"), "admin", password);
/// using var octopus = new OctopusClient(new Uri("http://127.0.0.1:5080"), token.Token);
/// var vm = await octopus.Vms.CreateAsync(new VmCreateRequest("web1", 2, 4L &lt;&lt; 30, 20L &lt;&lt; 30, "debian-12"));
/// vm = await octopus.Vms.WaitUntilSettledAsync(vm, TimeSpan.FromMinutes(2));
/// </code>
/// </example>
public sealed partial class OctopusClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ApiConnection _api;

    /// <summary>A client for the server at <paramref name="baseUrl"/>, authenticated with <paramref name="token"/>
    /// (null for the anonymous calls: health, login). <paramref name="handler"/> replaces the network (tests, proxies);
    /// it stays the caller's and is not disposed with the client.</summary>
    public OctopusClient(Uri baseUrl, string? token = null, OctopusClientOptions? options = null, HttpMessageHandler? handler = null)
        : this(new HttpClient(handler ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }, disposeHandler: handler is null)
        {
            BaseAddress = baseUrl ?? throw new ArgumentNullException(nameof(baseUrl)),
            Timeout = TimeSpan.FromSeconds(100),
        }, token, options, ownsHttp: true)
    {
    }

    /// <summary>A client over a caller-owned <see cref="HttpClient"/> whose <see cref="HttpClient.BaseAddress"/> is the
    /// server's URL. The token is sent per request; the HttpClient's default headers are left alone.</summary>
    public OctopusClient(HttpClient http, string? token = null, OctopusClientOptions? options = null)
        : this(http, token, options, ownsHttp: false)
    {
    }

    private OctopusClient(HttpClient http, string? token, OctopusClientOptions? options, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(http);
        options ??= new OctopusClientOptions();
        options.Validate();
        _http = http;
        _ownsHttp = ownsHttp;
        _api = new ApiConnection(http, token, options);
        Vms = new VmOperations(_api);
        Hosts = new HostOperations(_api);
        Plan = new PlanOperations(_api);
        Users = new UserOperations(_api);
        Tokens = new TokenOperations(_api);
        Audit = new AuditOperations(_api);
        Operations = new JournalOperations(_api);
        Images = new ImageOperations(_api);
        Disks = new DiskOperations(_api, Operations);
        Policies = new PolicyOperations(_api);
        Networks = new NetworkOperations(_api);
        Keys = new SshKeyOperations(_api);
    }

    /// <summary>The server's address as this client uses it (always ending in '/').</summary>
    public Uri BaseAddress => _api.BaseAddress;

    /// <summary>VMs: list, create, start, stop, reboot, migrate, delete, bulk actions, waits.</summary>
    public VmOperations Vms { get; }

    /// <summary>Compute nodes: list, maintenance, power on and off.</summary>
    public HostOperations Hosts { get; }

    /// <summary>The consolidation plan and mode (admin).</summary>
    public PlanOperations Plan { get; }
    /// <summary>Accounts and quotas (admin).</summary>
    public UserOperations Users { get; }

    /// <summary>Personal API tokens: create, list, revoke.</summary>
    public TokenOperations Tokens { get; }

    /// <summary>The audit log, newest first.</summary>
    public AuditOperations Audit { get; }

    /// <summary>The operations journal: what the caller's VMs are doing or did, with steps and errors.</summary>
    public JournalOperations Operations { get; }

    /// <summary>Images VMs are created from.</summary>
    public ImageOperations Images { get; }

    /// <summary>Forks, snapshots, reverts, the disk tree and garbage collection.</summary>
    public DiskOperations Disks { get; }
    /// <summary>Policies, their preview and history, templates and VM leases.</summary>
    public PolicyOperations Policies { get; }

    /// <summary>Networks: list and show (what the caller may use), create and delete (admin).</summary>
    public NetworkOperations Networks { get; }

    /// <summary>The SSH public keys in the caller's profile: list, add, remove.</summary>
    public SshKeyOperations Keys { get; }

    /// <summary>Server health; needs no token, so it doubles as "is anything listening at this URL?".</summary>
    public Task<HealthDto> GetHealthAsync(CancellationToken ct = default) => _api.GetAsync<HealthDto>(ApiRoutes.Health, ct);

    /// <summary>The control plane (admin): the server replicas on the store, which one leads, its term and since when.</summary>
    public Task<ClusterDto> GetClusterAsync(CancellationToken ct = default) => _api.GetAsync<ClusterDto>(ApiRoutes.Cluster, ct);

    /// <summary>Who the token belongs to, with their quota and usage.</summary>
    public Task<MeDto> GetMeAsync(CancellationToken ct = default) => _api.GetAsync<MeDto>(ApiRoutes.Me, ct);

    /// <summary>Exchanges a user name and password for a bearer token. Wrong credentials give an
    /// <see cref="OctopusApiException"/> with status 401. Not retried: it is a POST.</summary>
    public static Task<TokenResponse> LoginAsync(Uri baseUrl, string username, string password, CancellationToken ct = default) =>
        LoginAsync(baseUrl, username, password, options: null, handler: null, ct);

    /// <summary>As <see cref="LoginAsync(Uri, string, string, CancellationToken)"/>, with options and a handler that
    /// replaces the network (tests, proxies).</summary>
    public static async Task<TokenResponse> LoginAsync(Uri baseUrl, string username, string password,
        OctopusClientOptions? options, HttpMessageHandler? handler, CancellationToken ct = default)
    {
        using var anonymous = new OctopusClient(baseUrl, token: null, options, handler);
        return await anonymous._api.SendJsonAsync<TokenResponse>(HttpMethod.Post, ApiRoutes.Token,
            new TokenRequest(username, password), ct).ConfigureAwait(false);
    }

    /// <summary>Releases the HttpClient when this client created it; a caller's HttpClient or handler stays open.</summary>
    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
