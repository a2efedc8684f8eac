using System.Globalization;
using System.Text.Json;

namespace DockerHostTools.Core.Docker;

/// <summary>Reads the Engine API's JSON leniently: missing fields are null, never an exception (API 1.24 to 1.51).</summary>
public static class DockerEngineParser
{
    /// <summary>Parses <c>/version</c>.</summary>
    public static DockerEngineVersion ParseVersion(JsonElement root) =>
        new(Str(root, "Version"), Str(root, "ApiVersion"), Str(root, "MinAPIVersion"), Str(root, "Os"), Str(root, "KernelVersion"));

    /// <summary>Parses <c>/info</c>, including <c>FirewallBackend</c> (API 1.48+).</summary>
    public static DockerEngineInfo ParseInfo(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new DockerEngineInfo(null, null, null, null, null, null, null, []);
        }

        string? driver = null;
        DateTimeOffset? reloadedAt = null;
        string? reloadedAtText = null;
        if (root.TryGetProperty("FirewallBackend", out var fb) && fb.ValueKind == JsonValueKind.Object)
        {
            driver = Str(fb, "Driver");
            if (fb.TryGetProperty("Info", out var info) && info.ValueKind == JsonValueKind.Array)
            {
                foreach (var pair in info.EnumerateArray())
                {
                    if (pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2 && pair[0].GetString() == "ReloadedAt")
                    {
                        reloadedAtText = pair[1].GetString();
                        if (DateTimeOffset.TryParse(reloadedAtText, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
                        {
                            reloadedAt = t;
                        }
                    }
                }
            }
        }

        var warnings = root.TryGetProperty("Warnings", out var w) && w.ValueKind == JsonValueKind.Array
            ? w.EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToArray() : [];
        var security = root.TryGetProperty("SecurityOptions", out var so) && so.ValueKind == JsonValueKind.Array
            ? so.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString() ?? string.Empty).ToArray() : [];
        var swarm = root.TryGetProperty("Swarm", out var sw) && sw.ValueKind == JsonValueKind.Object ? Str(sw, "LocalNodeState") : null;
        return new DockerEngineInfo(Str(root, "ServerVersion"), Bool(root, "IPv4Forwarding"), Str(root, "DockerRootDir"),
            Int(root, "ContainersRunning"), driver, reloadedAt, reloadedAtText, warnings)
        {
            OperatingSystem = Str(root, "OperatingSystem"), Name = Str(root, "Name"), SecurityOptions = security, SwarmNodeState = swarm,
        };
    }

    /// <summary>Parses <c>/containers/json</c>.</summary>
    public static IReadOnlyList<DockerContainer> ParseContainers(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var list = new List<DockerContainer>();
        foreach (var c in root.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
        {
            var names = c.TryGetProperty("Names", out var n) && n.ValueKind == JsonValueKind.Array
                ? n.EnumerateArray().Select(e => (e.GetString() ?? string.Empty).TrimStart('/')).ToArray() : [];
            var ports = new List<DockerPortBinding>();
            if (c.TryGetProperty("Ports", out var p) && p.ValueKind == JsonValueKind.Array)
            {
                foreach (var port in p.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
                {
                    ports.Add(new DockerPortBinding(Str(port, "IP"), Int(port, "PublicPort"), Int(port, "PrivatePort") ?? 0, Str(port, "Type") ?? "tcp"));
                }
            }

            var networks = new Dictionary<string, string>(StringComparer.Ordinal);
            var networks6 = new Dictionary<string, string>(StringComparer.Ordinal);
            if (c.TryGetProperty("NetworkSettings", out var ns) && ns.ValueKind == JsonValueKind.Object &&
                ns.TryGetProperty("Networks", out var nets) && nets.ValueKind == JsonValueKind.Object)
            {
                foreach (var net in nets.EnumerateObject())
                {
                    networks[net.Name] = Str(net.Value, "IPAddress") ?? string.Empty;
                    if (Str(net.Value, "GlobalIPv6Address") is { Length: > 0 } v6)
                    {
                        networks6[net.Name] = v6;
                    }
                }
            }

            list.Add(new DockerContainer(Str(c, "Id") ?? string.Empty, names.FirstOrDefault() ?? string.Empty, Str(c, "Image") ?? string.Empty,
                Str(c, "State") ?? string.Empty, Str(c, "Status") ?? string.Empty, ports, networks) { Networks6 = networks6 });
        }

        return list;
    }

    /// <summary>Parses <c>/containers/{id}/json</c> (the parts this module needs).</summary>
    public static DockerContainerDetails ParseInspect(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new DockerContainerDetails(string.Empty, string.Empty, "no", false, new Dictionary<string, string>(), []);
        }

        string? restart = null;
        var bindings = new List<DockerPortBinding>();
        if (root.TryGetProperty("HostConfig", out var hc) && hc.ValueKind == JsonValueKind.Object)
        {
            if (hc.TryGetProperty("RestartPolicy", out var rp) && rp.ValueKind == JsonValueKind.Object)
            {
                restart = Str(rp, "Name");
            }

            if (hc.TryGetProperty("PortBindings", out var pb) && pb.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in pb.EnumerateObject())
                {
                    // "5000/tcp": [ { "HostIp": "", "HostPort": "5000" } ]
                    var parts = entry.Name.Split('/');
                    if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var privatePort) || entry.Value.ValueKind != JsonValueKind.Array)
                    {
                        continue;
                    }

                    foreach (var b in entry.Value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
                    {
                        var hostIp = Str(b, "HostIp");
                        int? hostPort = int.TryParse(Str(b, "HostPort"), NumberStyles.None, CultureInfo.InvariantCulture, out var hp) ? hp : null;
                        bindings.Add(new DockerPortBinding(string.IsNullOrEmpty(hostIp) ? "0.0.0.0" : hostIp, hostPort, privatePort, parts.Length > 1 ? parts[1] : "tcp"));
                    }
                }
            }
        }

        bool? running = null;
        if (root.TryGetProperty("State", out var st) && st.ValueKind == JsonValueKind.Object)
        {
            running = Bool(st, "Running");
        }

        var networks = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("NetworkSettings", out var ns) && ns.ValueKind == JsonValueKind.Object &&
            ns.TryGetProperty("Networks", out var nets) && nets.ValueKind == JsonValueKind.Object)
        {
            foreach (var net in nets.EnumerateObject())
            {
                networks[net.Name] = Str(net.Value, "IPAddress") ?? string.Empty;
            }
        }

        return new DockerContainerDetails(Str(root, "Id") ?? string.Empty, (Str(root, "Name") ?? string.Empty).TrimStart('/'),
            string.IsNullOrEmpty(restart) ? "no" : restart, running ?? false, networks, bindings);
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool? Bool(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    private static int? Int(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;
}

/// <summary><c>/version</c>.</summary>
public sealed class DockerEngineVersion
{
    /// <summary>Creates a version.</summary>
    public DockerEngineVersion(string? version, string? apiVersion, string? minApiVersion, string? os, string? kernelVersion)
    {
        Version = version;
        ApiVersion = apiVersion;
        MinApiVersion = minApiVersion;
        Os = os;
        KernelVersion = kernelVersion;
    }

    /// <summary>The engine version (<c>20.10.24+dfsg1</c>).</summary>
    public string? Version { get; }

    /// <summary>The newest API version the engine speaks.</summary>
    public string? ApiVersion { get; }

    /// <summary>The oldest API version the engine speaks.</summary>
    public string? MinApiVersion { get; }

    /// <summary>The OS (<c>linux</c>).</summary>
    public string? Os { get; }

    /// <summary>The kernel version.</summary>
    public string? KernelVersion { get; }

    /// <summary>The major version number (20, 28...), or null when it cannot be read.</summary>
    public int? Major => Version is not null && int.TryParse(Version.Split('.')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : null;
}

/// <summary><c>/info</c>: the parts about forwarding and the firewall.</summary>
public sealed class DockerEngineInfo
{
    /// <summary>Creates an info.</summary>
    public DockerEngineInfo(string? serverVersion, bool? ipv4Forwarding, string? dockerRootDir, int? containersRunning,
        string? firewallBackend, DateTimeOffset? firewallReloadedAt, string? firewallReloadedAtText, IReadOnlyList<string> warnings)
    {
        ServerVersion = serverVersion;
        IPv4Forwarding = ipv4Forwarding;
        DockerRootDir = dockerRootDir;
        ContainersRunning = containersRunning;
        FirewallBackend = firewallBackend;
        FirewallReloadedAt = firewallReloadedAt;
        FirewallReloadedAtText = firewallReloadedAtText;
        Warnings = warnings;
    }

    /// <summary>The engine version.</summary>
    public string? ServerVersion { get; }

    /// <summary>What the engine reports for IPv4 forwarding.</summary>
    public bool? IPv4Forwarding { get; }

    /// <summary>The engine's data folder.</summary>
    public string? DockerRootDir { get; }

    /// <summary>How many containers run.</summary>
    public int? ContainersRunning { get; }

    /// <summary><c>FirewallBackend.Driver</c> (API 1.48+: <c>iptables</c>, <c>nftables</c>, <c>iptables+firewalld</c>); null when the engine does not say.</summary>
    public string? FirewallBackend { get; }

    /// <summary>When the engine last re-applied its rules after a firewalld reload (<c>ReloadedAt</c>), when it says.</summary>
    public DateTimeOffset? FirewallReloadedAt { get; }

    /// <summary><c>ReloadedAt</c> as the engine wrote it.</summary>
    public string? FirewallReloadedAtText { get; }

    /// <summary>The engine's warnings (for example that IPv4 forwarding is disabled).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary><c>OperatingSystem</c> (<c>Docker Desktop</c> for an engine in Docker Desktop's VM).</summary>
    public string? OperatingSystem { get; init; }

    /// <summary><c>Name</c>: the engine host's name (<c>docker-desktop</c> in Docker Desktop).</summary>
    public string? Name { get; init; }

    /// <summary><c>SecurityOptions</c> (<c>name=rootless</c> for a rootless dockerd).</summary>
    public IReadOnlyList<string> SecurityOptions { get; init; } = [];

    /// <summary><c>Swarm.LocalNodeState</c> (<c>inactive</c>, <c>active</c>...), null when the engine does not say.</summary>
    public string? SwarmNodeState { get; init; }
}

/// <summary>One port entry of a container in <c>/containers/json</c>.</summary>
public sealed class DockerPortBinding
{
    /// <summary>Creates a binding.</summary>
    public DockerPortBinding(string? ip, int? publicPort, int privatePort, string type)
    {
        IP = ip;
        PublicPort = publicPort;
        PrivatePort = privatePort;
        Type = type;
    }

    /// <summary>The host address (<c>0.0.0.0</c>, <c>::</c>), null for an exposed port that is not published.</summary>
    public string? IP { get; }

    /// <summary>The host port, null when not published.</summary>
    public int? PublicPort { get; }

    /// <summary>The container port.</summary>
    public int PrivatePort { get; }

    /// <summary><c>tcp</c>, <c>udp</c>, <c>sctp</c>.</summary>
    public string Type { get; }
}

/// <summary>One container of <c>/containers/json</c>.</summary>
public sealed class DockerContainer
{
    /// <summary>Creates a container.</summary>
    public DockerContainer(string id, string name, string image, string state, string status, IReadOnlyList<DockerPortBinding> ports,
        IReadOnlyDictionary<string, string> networks)
    {
        Id = id;
        Name = name;
        Image = image;
        State = state;
        Status = status;
        Ports = ports;
        Networks = networks;
    }

    /// <summary>The full id.</summary>
    public string Id { get; }

    /// <summary>The name without the leading slash.</summary>
    public string Name { get; }

    /// <summary>The image.</summary>
    public string Image { get; }

    /// <summary><c>running</c>, <c>exited</c>, <c>created</c>...</summary>
    public string State { get; }

    /// <summary>The human status (<c>Up 8 seconds</c>).</summary>
    public string Status { get; }

    /// <summary>The port entries.</summary>
    public IReadOnlyList<DockerPortBinding> Ports { get; }

    /// <summary>Network name to the container's IPv4 address on it.</summary>
    public IReadOnlyDictionary<string, string> Networks { get; }

    /// <summary>Network name to the container's IPv6 address on it (<c>GlobalIPv6Address</c>; only networks with IPv6 enabled).</summary>
    public IReadOnlyDictionary<string, string> Networks6 { get; init; } = new Dictionary<string, string>();
}

/// <summary>The parts of <c>/containers/{id}/json</c> this module needs.</summary>
public sealed class DockerContainerDetails
{
    /// <summary>Creates details.</summary>
    public DockerContainerDetails(string id, string name, string restartPolicy, bool running, IReadOnlyDictionary<string, string> networks,
        IReadOnlyList<DockerPortBinding> portBindings)
    {
        PortBindings = portBindings;
        Id = id;
        Name = name;
        RestartPolicy = restartPolicy;
        Running = running;
        Networks = networks;
    }

    /// <summary>The full id.</summary>
    public string Id { get; }

    /// <summary>The name without the leading slash.</summary>
    public string Name { get; }

    /// <summary><c>no</c>, <c>always</c>, <c>unless-stopped</c>, <c>on-failure</c>.</summary>
    public string RestartPolicy { get; }

    /// <summary>True when the container runs.</summary>
    public bool Running { get; }

    /// <summary>Network name to address.</summary>
    public IReadOnlyDictionary<string, string> Networks { get; }

    /// <summary>
    /// The configured port bindings (HostConfig.PortBindings): what the container publishes when it runs. A binding
    /// without a host address means every address (<c>0.0.0.0</c>); one without a host port gets a random port (null).
    /// </summary>
    public IReadOnlyList<DockerPortBinding> PortBindings { get; }

    /// <summary>True when dockerd starts the container again by itself after an engine restart.</summary>
    public bool ComesBackAfterEngineRestart => RestartPolicy is "always" or "unless-stopped";
}
