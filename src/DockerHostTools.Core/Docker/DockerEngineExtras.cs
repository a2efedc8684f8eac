using System.Globalization;
using System.Text.Json;

namespace DockerHostTools.Core.Docker;

/// <summary>A network of the engine (<c>/networks</c>), with the options that change which rules Docker makes for it.</summary>
public sealed record DockerNetwork
{
    /// <summary>The option naming the Linux bridge.</summary>
    public const string BridgeNameOption = "com.docker.network.bridge.name";

    /// <summary>The IPv4 gateway mode option (Docker 28+: <c>nat</c>, <c>nat-unprotected</c>, <c>routed</c>, <c>isolated</c>).</summary>
    public const string GatewayModeIPv4Option = "com.docker.network.bridge.gateway_mode_ipv4";

    /// <summary>The IPv6 gateway mode option.</summary>
    public const string GatewayModeIPv6Option = "com.docker.network.bridge.gateway_mode_ipv6";

    /// <summary>The network's name.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The driver (<c>bridge</c>, <c>overlay</c>...).</summary>
    public string Driver { get; init; } = string.Empty;

    /// <summary>The network's options.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    /// <summary>The Linux bridge (<c>docker0</c> for the default network, else the option, else <c>br-</c> and the id's first 12 characters).</summary>
    public string? Bridge { get; init; }

    /// <summary>The IPv4 gateway mode, <c>nat</c> when the network does not set one.</summary>
    public string GatewayModeIPv4 => Options.TryGetValue(GatewayModeIPv4Option, out var m) && m.Length > 0 ? m : "nat";

    /// <summary>The IPv6 gateway mode, <c>nat</c> when the network does not set one.</summary>
    public string GatewayModeIPv6 => Options.TryGetValue(GatewayModeIPv6Option, out var m) && m.Length > 0 ? m : "nat";
}

/// <summary>A swarm service (<c>/services</c>) and the ports it publishes.</summary>
public sealed record DockerService
{
    /// <summary>The service id.</summary>
    public string Id { get; init; } = string.Empty;

    /// <summary>The service name.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The image of its task template.</summary>
    public string Image { get; init; } = string.Empty;

    /// <summary>Its published ports (Endpoint.Ports).</summary>
    public IReadOnlyList<DockerServicePort> Ports { get; init; } = [];
}

/// <summary>One published port of a swarm service.</summary>
/// <param name="Protocol">tcp, udp or sctp.</param>
/// <param name="TargetPort">The port inside the task's containers.</param>
/// <param name="PublishedPort">The port on every node.</param>
/// <param name="PublishMode"><c>ingress</c> (the routing mesh: nat DOCKER-INGRESS) or <c>host</c>.</param>
public sealed record DockerServicePort(string Protocol, int TargetPort, int PublishedPort, string PublishMode);

/// <summary>Parses <c>/networks</c> and <c>/services</c> leniently: missing fields are empty, never an exception.</summary>
public static class DockerEngineExtras
{
    /// <summary>Parses <c>/networks</c>.</summary>
    public static IReadOnlyList<DockerNetwork> ParseNetworks(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var list = new List<DockerNetwork>();
        foreach (var n in root.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
        {
            var options = new Dictionary<string, string>(StringComparer.Ordinal);
            if (n.TryGetProperty("Options", out var o) && o.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in o.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
                {
                    options[p.Name] = p.Value.GetString() ?? string.Empty;
                }
            }

            var name = Str(n, "Name") ?? string.Empty;
            var id = Str(n, "Id") ?? string.Empty;
            var driver = Str(n, "Driver") ?? string.Empty;
            string? bridge = null;
            if (driver == "bridge")
            {
                bridge = options.TryGetValue(DockerNetwork.BridgeNameOption, out var b) && b.Length > 0 ? b
                    : name == "bridge" ? "docker0" : id.Length >= 12 ? "br-" + id[..12] : null;
            }

            list.Add(new DockerNetwork { Name = name, Driver = driver, Options = options, Bridge = bridge });
        }

        return list;
    }

    /// <summary>Parses <c>/services</c>.</summary>
    public static IReadOnlyList<DockerService> ParseServices(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var list = new List<DockerService>();
        foreach (var s in root.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
        {
            string? name = null;
            string? image = null;
            if (s.TryGetProperty("Spec", out var spec) && spec.ValueKind == JsonValueKind.Object)
            {
                name = Str(spec, "Name");
                if (spec.TryGetProperty("TaskTemplate", out var tt) && tt.ValueKind == JsonValueKind.Object &&
                    tt.TryGetProperty("ContainerSpec", out var cs) && cs.ValueKind == JsonValueKind.Object)
                {
                    image = Str(cs, "Image");
                }
            }

            var ports = new List<DockerServicePort>();
            if (s.TryGetProperty("Endpoint", out var ep) && ep.ValueKind == JsonValueKind.Object &&
                ep.TryGetProperty("Ports", out var ps) && ps.ValueKind == JsonValueKind.Array)
            {
                foreach (var p in ps.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
                {
                    if (Int(p, "PublishedPort") is { } published and > 0 and <= 65535)
                    {
                        ports.Add(new DockerServicePort(Str(p, "Protocol") ?? "tcp", Int(p, "TargetPort") ?? published, published, Str(p, "PublishMode") ?? "ingress"));
                    }
                }
            }

            list.Add(new DockerService { Id = Str(s, "ID") ?? string.Empty, Name = name ?? string.Empty, Image = image ?? string.Empty, Ports = ports });
        }

        return list;
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Int(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

    /// <summary>The invariant text of a number.</summary>
    internal static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
