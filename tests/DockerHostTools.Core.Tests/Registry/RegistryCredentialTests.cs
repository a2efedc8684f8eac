using System.Net;
using System.Net.Sockets;
using System.Text;
using DockerHostTools.Core.Registry;

namespace DockerHostTools.Core.Tests.Registry;

/// <summary>
/// Issue 13, defects 1 and 6: what a real socket on loopback receives from the prober. The listener plays a registry
/// that speaks plain HTTP: it closes a TLS ClientHello at once (HTTPS fails, Auto falls back) and answers every HTTP
/// request 401 with the registry header, recording each request as received.
/// </summary>
public sealed class RegistryCredentialTests : IDisposable
{
    private const string Password = "s3cret/with@odd:chars";
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<string> _received = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serve;

    public RegistryCredentialTests()
    {
        _listener.Start();
        _serve = Task.Run(ServeAsync);
    }

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _serve.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // The accept loop ends with the listener.
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var stream = client.GetStream();
            var buffer = new byte[8192];
            var n = await stream.ReadAsync(buffer, _stop.Token);
            if (n == 0 || buffer[0] == 0x16)
            {
                lock (_received)
                {
                    _received.Add("<TLS ClientHello>");
                }

                continue; // closing a TLS hello: the handshake fails
            }

            var text = Encoding.ASCII.GetString(buffer, 0, n);
            lock (_received)
            {
                _received.Add(text);
            }

            var body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}";
            var answer = "HTTP/1.1 401 Unauthorized\r\nDocker-Distribution-Api-Version: registry/2.0\r\n" +
                "Www-Authenticate: Basic realm=\"lab\"\r\nContent-Type: application/json\r\n" +
                $"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), _stop.Token);
        }
    }

    private async Task<RegistryProbeResult> ProbeAsync(string endpoint, RegistryScheme scheme = RegistryScheme.Auto, bool allowInsecure = false, string user = "lab")
    {
        using var prober = new RegistryProber(new RegistryProbeOptions
        {
            Timeout = TimeSpan.FromSeconds(3),
            Scheme = scheme,
            AllowInsecureCredential = allowInsecure,
            Credential = new NetworkCredential(user, Password),
        });
        return await prober.ProbeAsync(RegistryEndpoint.Parse(endpoint), CancellationToken.None);
    }

    private string[] HttpRequests()
    {
        lock (_received)
        {
            return _received.Where(r => r.StartsWith("GET ", StringComparison.Ordinal)).ToArray();
        }
    }

    private static string Basic(string user) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{Password}"));

    [Fact]
    public async Task Defect1_AutoFallbackToHttpDoesNotSendThePassword()
    {
        var r = await ProbeAsync($"127.0.0.1:{Port}");
        var request = Assert.Single(HttpRequests());
        Assert.DoesNotContain("Authorization", request, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Basic("lab"), request, StringComparison.Ordinal);
        Assert.Equal(RegistryProbeOutcome.AuthRequired, r.Outcome);
        Assert.Equal(RegistryScheme.Http, r.Scheme);
        Assert.True(r.CredentialsWithheld);
        Assert.Contains("credentials were not sent", r.Message, StringComparison.Ordinal);
        Assert.Contains("<TLS ClientHello>", _received);
    }

    [Fact]
    public async Task Defect1_ExplicitSchemeHttpSendsThePassword()
    {
        var r = await ProbeAsync($"127.0.0.1:{Port}", RegistryScheme.Http);
        Assert.Contains($"Authorization: Basic {Basic("lab")}", Assert.Single(HttpRequests()), StringComparison.Ordinal);
        Assert.False(r.CredentialsWithheld);
        Assert.Contains("rejected the credentials", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Defect1_HttpEndpointSendsThePassword()
    {
        var r = await ProbeAsync($"http://127.0.0.1:{Port}");
        Assert.Contains($"Authorization: Basic {Basic("lab")}", Assert.Single(HttpRequests()), StringComparison.Ordinal);
        Assert.False(r.CredentialsWithheld);
    }

    [Fact]
    public async Task Defect1_AllowInsecureCredentialSendsThePasswordOnAutoFallback()
    {
        var r = await ProbeAsync($"127.0.0.1:{Port}", allowInsecure: true);
        Assert.Contains($"Authorization: Basic {Basic("lab")}", Assert.Single(HttpRequests()), StringComparison.Ordinal);
        Assert.False(r.CredentialsWithheld);
    }

    [Theory]
    [InlineData("CORP\\bob")]
    [InlineData("ci@gitlab")]
    [InlineData("user.name+tag@example.org")]
    public async Task Defect6_UserNamePassesThroughUnchanged(string user)
    {
        await ProbeAsync($"http://127.0.0.1:{Port}", user: user);
        Assert.Contains($"Authorization: Basic {Basic(user)}", Assert.Single(HttpRequests()), StringComparison.Ordinal);
    }

    [Fact]
    public void Defect1_CredentialsMayGoOnlyOverTlsOrAskedForHttp()
    {
        var auto = new RegistryProbeOptions();
        var bare = RegistryEndpoint.Parse("registry.example");
        Assert.True(RegistryProber.MaySendCredentials(bare, RegistryScheme.Https, auto));
        Assert.False(RegistryProber.MaySendCredentials(bare, RegistryScheme.Http, auto));
        Assert.True(RegistryProber.MaySendCredentials(bare, RegistryScheme.Http, new RegistryProbeOptions { Scheme = RegistryScheme.Http }));
        Assert.True(RegistryProber.MaySendCredentials(RegistryEndpoint.Parse("http://registry.example"), RegistryScheme.Http, auto));
        Assert.True(RegistryProber.MaySendCredentials(bare, RegistryScheme.Http, new RegistryProbeOptions { AllowInsecureCredential = true }));
        // An https:// endpoint never falls back, and -Scheme Https on an http:// endpoint: the endpoint decides.
        Assert.True(RegistryProber.MaySendCredentials(RegistryEndpoint.Parse("http://registry.example"), RegistryScheme.Http, new RegistryProbeOptions { Scheme = RegistryScheme.Https }));
    }

    [Theory]
    [InlineData("https://user:pa/ss@registry.example")]
    [InlineData("https://user:pa?ss@registry.example:5000")]
    [InlineData("user:pa ss#x@registry.example")]
    [InlineData("http://user:p@ss/word@registry.example/v2/")]
    [InlineData("user:pa:ss@[2001:db8::1]:5000")]
    public void Defect6_InvalidEndpointNeverEchoesAnyPartOfThePassword(string text)
    {
        Assert.False(RegistryEndpoint.TryParse(text, out _, out var error));
        Assert.Contains("user information is not allowed", error, StringComparison.Ordinal);
        foreach (var part in new[] { "pa", "ss", "word" })
        {
            Assert.DoesNotContain(part, error!.Replace("pass", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Defect6_FromHostAndPortNeverEchoesThePassword()
    {
        var ex = Assert.Throws<ArgumentException>(() => RegistryEndpoint.FromHostAndPort("user:hunter2/x@registry.example", 5000));
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
    }
}
