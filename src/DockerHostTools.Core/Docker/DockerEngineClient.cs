using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace DockerHostTools.Core.Docker;

/// <summary>Why the Docker Engine API could not be reached.</summary>
public enum DockerEngineFailure
{
    /// <summary>The socket file does not exist (Docker not installed, or not started).</summary>
    SocketNotFound,

    /// <summary>The socket exists but this user may not connect (not root, not in group docker).</summary>
    AccessDenied,

    /// <summary>The socket exists but nothing accepts connections on it (dockerd stopped, a stale file).</summary>
    NotListening,

    /// <summary>The engine did not answer in time.</summary>
    Timeout,

    /// <summary>The engine answered something that is not the Engine API (or an error status).</summary>
    BadResponse,
}

/// <summary>The Docker Engine API could not be used; <see cref="Failure"/> says why.</summary>
public sealed class DockerEngineUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DockerEngineUnavailableException(string socketPath, DockerEngineFailure failure, string message, Exception? inner = null)
        : base(message, inner)
    {
        SocketPath = socketPath;
        Failure = failure;
    }

    /// <summary>The socket that was tried.</summary>
    public string SocketPath { get; }

    /// <summary>Why it failed.</summary>
    public DockerEngineFailure Failure { get; }
}

/// <summary>
/// A small Docker Engine API client over the unix socket, built on .NET's own HttpClient (SocketsHttpHandler with a
/// ConnectCallback to a <see cref="UnixDomainSocketEndPoint"/>). The API version is negotiated from <c>/version</c>:
/// the engine's own ApiVersion, capped at <see cref="MaxApiVersion"/>.
/// </summary>
public sealed class DockerEngineClient : IDisposable
{
    /// <summary>The socket dockerd listens on by default.</summary>
    public const string DefaultSocket = "/run/docker.sock";

    /// <summary>The newest API version this client asks for.</summary>
    public static readonly Version MaxApiVersion = new(1, 51);

    /// <summary>The oldest API version this client can read (Docker 1.13 / CentOS 7's 1.13.1 speaks 1.26).</summary>
    public static readonly Version MinApiVersion = new(1, 24);

    private readonly HttpClient _http;
    private string? _prefix;

    /// <summary>Creates a client for a socket.</summary>
    /// <param name="socketPath">The unix socket (<c>/run/docker.sock</c> by default).</param>
    /// <param name="timeout">How long one request may take (10 s by default).</param>
    public DockerEngineClient(string socketPath = DefaultSocket, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(socketPath);
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        };
        _http = new HttpClient(handler)
        {
            BaseAddress = new Uri("http://docker/"),
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("DockerHostTools", "0.1"));
    }

    /// <summary>The socket.</summary>
    public string SocketPath { get; }

    /// <summary>Where each request is reported with its duration (for -Verbose); null: nowhere.</summary>
    public Native.IReadLog? Log { get; set; }

    /// <summary>The negotiated API version (null before the first call).</summary>
    public string? ApiVersion { get; private set; }

    /// <summary><c>GET /version</c> (unversioned), and negotiates the API version for the calls after it.</summary>
    public async Task<DockerEngineVersion> GetVersionAsync(CancellationToken cancellationToken = default)
    {
        using var doc = await GetJsonAsync("version", cancellationToken).ConfigureAwait(false);
        var version = DockerEngineParser.ParseVersion(doc.RootElement);
        ApiVersion = Negotiate(version.ApiVersion, version.MinApiVersion);
        _prefix = "v" + ApiVersion + "/";
        return version;
    }

    /// <summary><c>GET /info</c>.</summary>
    public async Task<DockerEngineInfo> GetInfoAsync(CancellationToken cancellationToken = default)
    {
        using var doc = await GetJsonAsync(await PrefixAsync(cancellationToken).ConfigureAwait(false) + "info", cancellationToken).ConfigureAwait(false);
        return DockerEngineParser.ParseInfo(doc.RootElement);
    }

    /// <summary><c>GET /containers/json</c> (with <c>all=true</c> when <paramref name="all"/>).</summary>
    public async Task<IReadOnlyList<DockerContainer>> GetContainersAsync(bool all, CancellationToken cancellationToken = default)
    {
        using var doc = await GetJsonAsync(await PrefixAsync(cancellationToken).ConfigureAwait(false) + "containers/json" + (all ? "?all=true" : string.Empty),
            cancellationToken).ConfigureAwait(false);
        return DockerEngineParser.ParseContainers(doc.RootElement);
    }

    /// <summary><c>GET /networks</c>: each network's name, driver and options (the bridge's gateway modes).</summary>
    public async Task<IReadOnlyList<DockerNetwork>> GetNetworksAsync(CancellationToken cancellationToken = default)
    {
        using var doc = await GetJsonAsync(await PrefixAsync(cancellationToken).ConfigureAwait(false) + "networks", cancellationToken).ConfigureAwait(false);
        return DockerEngineExtras.ParseNetworks(doc.RootElement);
    }

    /// <summary><c>GET /services</c> (swarm mode only; the engine answers 503 when it is not a swarm manager).</summary>
    public async Task<IReadOnlyList<DockerService>> GetServicesAsync(CancellationToken cancellationToken = default)
    {
        using var doc = await GetJsonAsync(await PrefixAsync(cancellationToken).ConfigureAwait(false) + "services", cancellationToken).ConfigureAwait(false);
        return DockerEngineExtras.ParseServices(doc.RootElement);
    }

    /// <summary><c>GET /containers/{id}/json</c>.</summary>
    public async Task<DockerContainerDetails> InspectContainerAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        using var doc = await GetJsonAsync(await PrefixAsync(cancellationToken).ConfigureAwait(false) + "containers/" + Uri.EscapeDataString(id) + "/json",
            cancellationToken).ConfigureAwait(false);
        return DockerEngineParser.ParseInspect(doc.RootElement);
    }

    /// <summary><c>POST /containers/{id}/start</c>; true when started, false when it was already running (304).</summary>
    public async Task<bool> StartContainerAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var path = await PrefixAsync(cancellationToken).ConfigureAwait(false) + "containers/" + Uri.EscapeDataString(id) + "/start";
        using var response = await SendAsync(HttpMethod.Post, path, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return false;
        }

        await EnsureSuccessAsync(response, path, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Every published port, cross-checked with the DNAT and ACCEPT rules of every iptables variant and with the listening
    /// sockets (docker-proxy): the one call the diagnosis uses for Docker's side of a port.
    /// </summary>
    public Task<IReadOnlyList<DockerPublishedPort>> GetPublishedPortsAsync(Iptables.IptablesReader iptables, Native.IHostFileSystem fs,
        CancellationToken cancellationToken = default) => DockerPublishedPorts.ReadAsync(this, iptables, fs, cancellationToken);

    /// <summary><c>GET /_ping</c>: true when the engine answers OK.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, "_ping", cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    internal static string Negotiate(string? serverApi, string? serverMin)
    {
        if (!Version.TryParse(serverApi, out var server))
        {
            return MaxApiVersion.ToString(2);
        }

        var chosen = server > MaxApiVersion ? MaxApiVersion : server;
        if (Version.TryParse(serverMin, out var min) && chosen < min)
        {
            chosen = min;
        }

        return chosen.ToString(2);
    }

    private async Task<string> PrefixAsync(CancellationToken cancellationToken)
    {
        if (_prefix is null)
        {
            await GetVersionAsync(cancellationToken).ConfigureAwait(false);
        }

        return _prefix!;
    }

    private async Task<JsonDocument> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, path, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new DockerEngineUnavailableException(SocketPath, DockerEngineFailure.BadResponse,
                $"The answer of {SocketPath} to /{path} is not JSON: {ex.Message}", ex);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var message = body;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("message", out var m))
            {
                message = m.GetString() ?? body;
            }
        }
        catch (JsonException)
        {
            // Not JSON: keep the text.
        }

        throw new DockerEngineUnavailableException(SocketPath, DockerEngineFailure.BadResponse,
            $"The Docker engine on {SocketPath} answered /{path} with {(int)response.StatusCode} {response.StatusCode}: {message.Trim()}");
    }

    // Each request is reported to Log with its duration and status (or the failure), the socket check included.
    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, CancellationToken cancellationToken) =>
        Native.ReadLog.TimeAsync(Log, Native.ReadKind.EngineApi, $"{method} /{path} on {SocketPath}",
            () => SendCoreAsync(method, path, cancellationToken), r => ((int)r.StatusCode).ToString(CultureInfo.InvariantCulture));

    private async Task<HttpResponseMessage> SendCoreAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        if (!PathExists(SocketPath))
        {
            throw new DockerEngineUnavailableException(SocketPath, DockerEngineFailure.SocketNotFound,
                $"The Docker socket {SocketPath} does not exist: Docker is not installed or not running here. Name another socket with -Socket.");
        }

        try
        {
            using var request = new HttpRequestMessage(method, path);
            return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (FindSocketError(ex) is { } se)
        {
            throw se switch
            {
                SocketError.AccessDenied => new DockerEngineUnavailableException(SocketPath, DockerEngineFailure.AccessDenied,
                    $"Permission denied on the Docker socket {SocketPath}: run as root or as a member of its group (docker).", ex),
                SocketError.ConnectionRefused or SocketError.AddressNotAvailable => new DockerEngineUnavailableException(SocketPath, DockerEngineFailure.NotListening,
                    $"Nothing accepts connections on the Docker socket {SocketPath}: dockerd is stopped (systemctl status docker).", ex),
                _ => new DockerEngineUnavailableException(SocketPath, DockerEngineFailure.NotListening,
                    $"Could not connect to the Docker socket {SocketPath}: {se}.", ex),
            };
        }
        catch (HttpRequestException ex)
        {
            throw new DockerEngineUnavailableException(SocketPath, DockerEngineFailure.BadResponse,
                $"The Docker socket {SocketPath} did not answer like the Engine API: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DockerEngineUnavailableException(SocketPath, DockerEngineFailure.Timeout,
                $"The Docker engine on {SocketPath} did not answer /{path} within {_http.Timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s: dockerd may be hung.", ex);
        }
    }

    private static bool PathExists(string path)
    {
        try
        {
            return Path.Exists(path);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true; // exists, not ours to see: the connect will say AccessDenied
        }
    }

    private static SocketError? FindSocketError(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException s)
            {
                return s.SocketErrorCode;
            }
        }

        return null;
    }
}
