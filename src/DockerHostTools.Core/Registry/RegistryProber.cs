using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace DockerHostTools.Core.Registry;

/// <summary>
/// Probes registry endpoints: name lookup, TCP connect, then <c>GET /v2/</c>, and classifies how each one ends.
/// Probes run concurrently up to <see cref="RegistryProbeOptions.ThrottleLimit"/>; each network step has its own
/// timeout; every socket is disposed when its probe ends, so thousands of endpoints hold at most a throttle's worth
/// of sockets. Credentials go only into the Authorization header of the request, never into a result or message, and
/// only over TLS or over plain HTTP the user asked for (<see cref="MaySendCredentials"/>).
/// </summary>
public sealed class RegistryProber : IDisposable
{
    /// <summary>The header a registry (distribution) sets on every <c>/v2/</c> answer.</summary>
    public const string ApiVersionHeader = "Docker-Distribution-API-Version";

    private readonly RegistryProbeOptions _options;
    private readonly SemaphoreSlim _throttle;
    private readonly AuthenticationHeaderValue? _authorization;

    /// <summary>Makes a prober.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is not positive or the throttle limit is below 1.</exception>
    public RegistryProber(RegistryProbeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ThrottleLimit, 1, nameof(options));
        if (options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The timeout must be positive.");
        }

        _options = options;
        _throttle = new SemaphoreSlim(options.ThrottleLimit, options.ThrottleLimit);
        if (options.Credential is { } c)
        {
            var raw = Encoding.UTF8.GetBytes($"{c.UserName}:{c.Password}");
            _authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(raw));
        }
    }

    /// <summary>Probes many endpoints at once; the results come back in the order of the endpoints.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async Task<IReadOnlyList<RegistryProbeResult>> ProbeAllAsync(IEnumerable<RegistryEndpoint> endpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return await Task.WhenAll(endpoints.Select(e => ProbeAsync(e, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>Probes one endpoint once a throttle slot is free. Never throws for a network failure: the outcome says it.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async Task<RegistryProbeResult> ProbeAsync(RegistryEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        await _throttle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ProbeCoreAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                _throttle.Release();
            }
            catch (ObjectDisposedException)
            {
                // The prober was disposed while this (cancelled) probe was ending: nothing waits for the slot any more.
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _throttle.Dispose();

    private string Seconds => _options.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private async Task<RegistryProbeResult> ProbeCoreAsync(RegistryEndpoint endpoint, CancellationToken ct)
    {
        var result = new RegistryProbeResult(endpoint);
        var address = endpoint.Address ?? await ResolveAsync(endpoint, result, ct).ConfigureAwait(false);
        if (address is null)
        {
            return result;
        }

        result.Address = address.ToString();
        var socket = await ConnectAsync(address, endpoint.Port, result, record: true, ct).ConfigureAwait(false);
        if (socket is null)
        {
            return result;
        }

        if (_options.TcpOnly)
        {
            socket.Dispose();
            result.Outcome = RegistryProbeOutcome.Reachable;
            result.Message = $"TCP connection to {endpoint.Authority} opened; the registry API was not asked (-TcpOnly).";
            return result;
        }

        var scheme = endpoint.Scheme ?? _options.Scheme;
        if (scheme is RegistryScheme.Http)
        {
            await AttemptAsync(socket, endpoint, RegistryScheme.Http, result, ct).ConfigureAwait(false);
            return result;
        }

        var httpsFailure = await AttemptAsync(socket, endpoint, RegistryScheme.Https, result, ct).ConfigureAwait(false);
        if (scheme is RegistryScheme.Https || httpsFailure is null)
        {
            return result;
        }

        // Auto: the server did not speak TLS, so ask again in plain HTTP, as docker does for an insecure registry.
        var second = await ConnectAsync(address, endpoint.Port, result, record: false, ct).ConfigureAwait(false);
        if (second is null)
        {
            result.Message = $"HTTPS failed ({httpsFailure}); then {result.Message}";
            return result;
        }

        await AttemptAsync(second, endpoint, RegistryScheme.Http, result, ct).ConfigureAwait(false);
        if (!result.Success)
        {
            result.Message = $"{result.Message} (HTTPS was tried first: {httpsFailure})";
        }

        return result;
    }

    /// <summary>
    /// Whether the Authorization header may go on an attempt: always over HTTPS (the handshake that carries it verified the
    /// certificate, or the user gave -SkipCertificateCheck); over plain HTTP only when the user asked for plain HTTP
    /// (the endpoint's http:// or <c>-Scheme Http</c>) or for insecure credentials explicitly. Never on Auto's fallback.
    /// </summary>
    internal static bool MaySendCredentials(RegistryEndpoint endpoint, RegistryScheme attempt, RegistryProbeOptions options) =>
        attempt == RegistryScheme.Https
        || options.AllowInsecureCredential
        || (endpoint.Scheme ?? options.Scheme) == RegistryScheme.Http;

    private async Task<IPAddress?> ResolveAsync(RegistryEndpoint endpoint, RegistryProbeResult result, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_options.Timeout);
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(endpoint.Host, cts.Token).ConfigureAwait(false);
            var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            if (chosen is null)
            {
                Fail(result, RegistryProbeOutcome.DnsFailure, $"The name '{endpoint.Host}' resolved to no address.");
            }

            return chosen;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Fail(result, RegistryProbeOutcome.DnsFailure, $"The name '{endpoint.Host}' did not resolve within {Seconds}.");
        }
        catch (SocketException ex)
        {
            Fail(result, RegistryProbeOutcome.DnsFailure, $"The name '{endpoint.Host}' did not resolve: {ex.Message} ({ex.SocketErrorCode}).");
        }

        return null;
    }

    private async Task<Socket?> ConnectAsync(IPAddress address, int port, RegistryProbeResult result, bool record, CancellationToken ct)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_options.Timeout);
        var watch = Stopwatch.StartNew();
        var where = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), cts.Token).ConfigureAwait(false);
            if (record)
            {
                result.TcpConnected = true;
                result.ConnectTime = watch.Elapsed;
            }

            return socket;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            Fail(result, RegistryProbeOutcome.Timeout,
                $"No answer to the TCP connect to {where} within {Seconds}: packets are dropped on the way (a DROP rule or policy, IP forwarding off) or the host is down.");
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            switch (ex.SocketErrorCode)
            {
                case SocketError.ConnectionRefused:
                    Fail(result, RegistryProbeOutcome.Refused,
                        $"Connection to {where} refused: the host answered but nothing listens on port {port} (or a firewall rejects with a TCP reset or port-unreachable).");
                    break;
                case SocketError.TimedOut:
                    Fail(result, RegistryProbeOutcome.Timeout, $"The TCP connect to {where} timed out: packets are dropped on the way or the host is down.");
                    break;
                case SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostDown or SocketError.NetworkDown:
                    Fail(result, RegistryProbeOutcome.Unreachable,
                        $"{where} is unreachable ({ex.SocketErrorCode}): no route to it, or a firewall rejects with ICMP host/admin-prohibited (as firewalld does).");
                    break;
                default:
                    Fail(result, RegistryProbeOutcome.Unreachable, $"The TCP connect to {where} failed: {ex.Message} ({ex.SocketErrorCode}).");
                    break;
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return null;
    }

    /// <summary>One <c>GET /v2/</c> over an already connected socket. Returns why an HTTPS attempt may fall back to HTTP, else null.</summary>
    private async Task<string?> AttemptAsync(Socket connected, RegistryEndpoint endpoint, RegistryScheme scheme, RegistryProbeResult result, CancellationToken ct)
    {
        result.Scheme = scheme;
        var authorization = MaySendCredentials(endpoint, scheme, _options) ? _authorization : null;
        result.CredentialsWithheld = _authorization is not null && authorization is null;
        var pending = connected;
        var certificateSeen = false;
        var certificateErrors = SslPolicyErrors.None;
        var skip = _options.SkipCertificateCheck;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = 1,
            ConnectCallback = (_, _) =>
            {
                // A second call means the handler retries because the server closed the first connection without
                // answering; the probe reports that instead of opening another connection.
                var socket = Interlocked.Exchange(ref pending, null)
                    ?? throw new IOException("the server closed the connection without answering");
                return ValueTask.FromResult<Stream>(new NetworkStream(socket, ownsSocket: true));
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = endpoint.Host,
                RemoteCertificateValidationCallback = (_, _, _, errors) =>
                {
                    certificateSeen = true;
                    certificateErrors = errors;
                    return skip || errors == SslPolicyErrors.None;
                },
            },
        };
        // The connection is ours (ConnectCallback); the URL only names the Host header. A zone id needs %25 in a URL.
        var url = $"{(scheme == RegistryScheme.Https ? "https" : "http")}://{endpoint.Authority.Replace("%", "%25", StringComparison.Ordinal)}/v2/";
        var label = scheme == RegistryScheme.Https ? "HTTPS" : "HTTP";
        try
        {
            using var client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
            using var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
            request.Headers.UserAgent.ParseAdd("DockerHostTools-RegistryProbe/1.0");
            request.Headers.Authorization = authorization;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(_options.Timeout);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
            Classify(response, endpoint, label, authorization is not null, result);
            if (result.CredentialsWithheld)
            {
                result.Message += " The credentials were not sent: HTTPS failed and this plain HTTP answer was not asked for; " +
                    "use -Scheme Http (or an http:// endpoint) or -AllowInsecureCredential to send them in plain text.";
            }

            return null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Fail(result, RegistryProbeOutcome.Timeout,
                $"TCP connected to {endpoint.Authority}, but no {label} answer to GET /v2/ within {Seconds} (a proxy that accepts but cannot reach its backend, or a service that does not speak {label}).");
            return scheme == RegistryScheme.Https && !certificateSeen ? $"no TLS answer within {Seconds}" : null;
        }
        catch (HttpRequestException ex)
        {
            var tls = FindInner<AuthenticationException>(ex) is not null || ex.HttpRequestError == HttpRequestError.SecureConnectionError;
            if (scheme == RegistryScheme.Https && certificateSeen && certificateErrors != SslPolicyErrors.None && !skip)
            {
                Fail(result, RegistryProbeOutcome.TlsFailure,
                    $"The TLS certificate of {endpoint.Authority} is not trusted ({certificateErrors}): add its CA to the trust store, or use -SkipCertificateCheck to probe anyway.");
                return null;
            }

            if (scheme == RegistryScheme.Https && (tls || !certificateSeen))
            {
                var reason = $"no TLS handshake: {Innermost(ex).Message}";
                Fail(result, RegistryProbeOutcome.TlsFailure,
                    $"The TLS handshake with {endpoint.Authority} failed ({Innermost(ex).Message}); the server may speak plain HTTP (-Scheme Http or Auto).");
                return reason;
            }

            if (ex.HttpRequestError == HttpRequestError.InvalidResponse)
            {
                Fail(result, RegistryProbeOutcome.NotARegistry,
                    $"Something answers on {endpoint.Authority}, but not with {label}: another service holds this port.");
                return null;
            }

            Fail(result, RegistryProbeOutcome.HttpError,
                $"TCP connected to {endpoint.Authority}, but the {label} request failed: {Innermost(ex).Message} ({ex.HttpRequestError}).");
            return null;
        }
        finally
        {
            Interlocked.Exchange(ref pending, null)?.Dispose();
        }
    }

    /// <summary>Judges the answer to <c>GET /v2/</c>: a registry sets the API version header and answers 200 or 401.</summary>
    internal static void Classify(HttpResponseMessage response, RegistryEndpoint endpoint, string label, bool credentialsGiven, RegistryProbeResult result)
    {
        var status = (int)response.StatusCode;
        result.HttpStatus = status;
        result.ApiVersion = response.Headers.TryGetValues(ApiVersionHeader, out var values) ? string.Join(", ", values) : null;
        if (result.ApiVersion is null)
        {
            Fail(result, RegistryProbeOutcome.NotARegistry,
                $"{endpoint.Authority} answered {label} {status} to GET /v2/ without the {ApiVersionHeader} header: it is not a registry (another service on this port?).");
            return;
        }

        (result.Outcome, result.Message) = status switch
        {
            200 => (RegistryProbeOutcome.Reachable, $"The registry at {endpoint.Authority} answers over {label} ({result.ApiVersion})."),
            401 when !credentialsGiven => (RegistryProbeOutcome.AuthRequired,
                $"The registry at {endpoint.Authority} answers over {label} and requires authentication (401): it is up; log in to pull."),
            401 => (RegistryProbeOutcome.AuthRequired,
                $"The registry at {endpoint.Authority} answers over {label} but rejected the credentials given (401): it is up."),
            _ => (RegistryProbeOutcome.HttpError, $"The registry at {endpoint.Authority} answered {label} {status} to GET /v2/ (expected 200 or 401)."),
        };
    }

    private static void Fail(RegistryProbeResult result, RegistryProbeOutcome outcome, string message)
    {
        result.Outcome = outcome;
        result.Message = message;
    }

    private static T? FindInner<T>(Exception ex)
        where T : Exception
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is T t)
            {
                return t;
            }
        }

        return null;
    }

    private static Exception Innermost(Exception ex)
    {
        var e = ex;
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
