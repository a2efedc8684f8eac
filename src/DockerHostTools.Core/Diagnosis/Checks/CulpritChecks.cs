using System.Globalization;
using DockerHostTools.Core.Culprits;
using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Repair;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>
/// What else than firewalld replaces Docker's rules (nftables.service's <c>flush ruleset</c>), and what users believe
/// filters a published port and does not (ufw).
/// </summary>
public static class CulpritChecks
{
    /// <summary>The findings of nftables.service and ufw.</summary>
    /// <param name="facts">The host's facts.</param>
    /// <param name="dockerUp">dockerd runs and answers.</param>
    /// <param name="dockerVariant">The iptables variant that holds (or should hold) Docker's rules.</param>
    /// <param name="rulesMissing">A vital Docker chain or a published port's DNAT rule is gone.</param>
    /// <param name="published">The published ports looked at.</param>
    public static IEnumerable<Finding> Evaluate(HostFacts facts, bool dockerUp, IptablesVariant? dockerVariant, bool rulesMissing, IReadOnlyList<PublishedPortFact> published)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(published);
        if (Nftables(facts, dockerVariant, rulesMissing) is { } nft)
        {
            yield return nft;
        }

        foreach (var f in Ufw(facts, dockerUp, published))
        {
            yield return f;
        }
    }

    private static Finding? Nftables(HostFacts facts, IptablesVariant? dockerVariant, bool rulesMissing)
    {
        var n = facts.NftablesService;
        var fileFlushes = n?.FlushesRuleset == true;
        var stopFlushes = n?.StopFlush is not null;
        if (n is null || !(fileFlushes || stopFlushes) || !(n.Enabled || n.ActiveState == UnitActiveState.Active))
        {
            return null;
        }

        // flush ruleset deletes nf_tables tables only: Docker's rules in iptables-legacy survive it.
        var backend = facts.Docker.FirewallBackend ?? string.Empty;
        var inNftables = dockerVariant == IptablesVariant.Nft || backend.Contains("nftables", StringComparison.OrdinalIgnoreCase);
        if (!inNftables)
        {
            return null;
        }

        var docker = facts.Services.FirstOrDefault(s => s.Name == "docker.service");
        var ranAfter = docker is { ActiveState: UnitActiveState.Active, ActiveEnterMonotonicUs: > 0 } && n.ActiveState == UnitActiveState.Active &&
            n.ActiveEnterMonotonicUs > docker.ActiveEnterMonotonicUs;
        var severity = ranAfter && rulesMissing ? FindingSeverity.Error : FindingSeverity.Warning;
        var file = n.ConfigFile;
        var destroy = NftablesConfig.DestroySupported(n.NftVersion, n.KernelRelease);
        var clashing = n.Tables.Where(t => NftablesConfig.DockerTables.Contains(t, StringComparer.Ordinal)).ToList();
        var replacement = NftablesConfig.ReplacementLines(n.Tables, destroy);
        var where = backend.Contains("nftables", StringComparison.OrdinalIgnoreCase) ? "Docker's nftables tables (ip/ip6 docker-bridges)" : "Docker's iptables-nft rules";
        var stopLines = n.Tables.Select(t => destroy ? $"ExecStop=/usr/sbin/nft destroy table {t}" : $"ExecStop=-/usr/sbin/nft delete table {t}").ToList();
        const string DropIn = "/etc/systemd/system/nftables.service.d/dht-keep-docker-rules.conf";
        var hows = new List<string>();
        if (fileFlushes)
        {
            hows.Add(replacement.Count == 0
                ? $"remove the 'flush ruleset' line of {file} and flush only the tables its includes define"
                : $"replace 'flush ruleset' in {file} by {string.Join("; ", replacement.Select(l => $"'{l}'"))}, so that it renews only its own tables");
        }

        if (stopFlushes)
        {
            hows.Add($"give nftables.service a drop-in ({DropIn}) with 'ExecStop=' and {(stopLines.Count == 0 ? "no other ExecStop" : string.Join(", ", stopLines.Select(l => $"'{l}'")))}, since its ExecStop '{n.StopFlush}' flushes the whole ruleset at every stop and restart");
        }

        var how = string.Join(", and ", hows);
        var clash = clashing.Count == 0 ? string.Empty
            : $" {file} also defines table {string.Join(", ", clashing)}, where {where} live: renewing it deletes them as well, so give it a table of its own (for example 'table inet {clashing[0].Split(' ')[1]}-host').";
        var what = fileFlushes && stopFlushes ? $"{file} runs 'flush ruleset', as does its ExecStop" : fileFlushes ? $"{file} runs 'flush ruleset'" : $"its ExecStop runs '{n.StopFlush}'";
        var when = fileFlushes ? "start, restart or reload of it (systemctl restart nftables, a package upgrade)" : "stop or restart of it";
        var message = severity == FindingSeverity.Error
            ? $"nftables.service ran after dockerd started, and {what}, which deleted every nf_tables table: {where} are gone and nothing puts them back. Restart docker, and {how}.{clash}"
            : $"nftables.service is {(n.Enabled ? "enabled" : "active")} and {what}: each {when} deletes {where}, and nothing puts them back until docker restarts. {char.ToUpperInvariant(how[0])}{how[1..]}.{clash}";

        var evidence = new List<string>
        {
            $"systemctl: {n.Unit} {n.UnitFileState ?? "?"}, {n.ActiveState.ToString().ToLowerInvariant()}{(n.ActiveSince is { } a ? " since " + Stamp(a) : string.Empty)}" +
                (docker?.ActiveSince is { } d ? $"; docker active since {Stamp(d)}{(ranAfter ? " (nftables.service ran after it)" : string.Empty)}" : string.Empty),
            fileFlushes ? $"{file} {n.FlushLine}" : $"{file}: no 'flush ruleset'",
            $"{file} defines: {string.Join(", ", n.Tables.DefaultIfEmpty("no table"))}{(n.Includes.Count > 0 ? "; includes " + string.Join(", ", n.Includes) : string.Empty)}",
            stopFlushes ? $"{n.Unit}: ExecStop={n.StopFlush}" : $"{n.Unit}: no ExecStop flushes the ruleset",
            $"Docker's rules: {(backend.Contains("nftables", StringComparison.OrdinalIgnoreCase) ? "nftables backend" : "iptables-nft")}{(rulesMissing ? ", gone" : ", present")}",
            $"{n.NftVersion ?? "nft version unknown"}, kernel {n.KernelRelease ?? "?"}: {(destroy ? "'destroy table' is available" : "no 'destroy table' (nft 1.0.8 and Linux 6.3 have it): declare, then delete")}",
        };

        var steps = new List<string>();
        if (fileFlushes)
        {
            var sedReplacement = string.Join("\\n", replacement);
            steps.Add(replacement.Count == 0
                ? $"sed -i.dht-backup '/^[[:space:]]*flush[[:space:]]\\+ruleset/d' {file}"
                : $"sed -i.dht-backup 's/^[[:space:]]*flush[[:space:]]\\+ruleset[[:space:]]*;\\?[[:space:]]*$/{sedReplacement}/' {file}");
            steps.Add($"nft -c -f {file}");
        }

        if (stopFlushes)
        {
            steps.Add("mkdir -p /etc/systemd/system/nftables.service.d");
            steps.Add($"printf '[Service]\\nExecStop=\\n{string.Concat(stopLines.Select(l => l + "\\n"))}' > {DropIn}");
            steps.Add("systemctl daemon-reload");
        }

        if (severity == FindingSeverity.Error)
        {
            steps.Add("systemctl reset-failed docker.service docker.socket");
            steps.Add("systemctl restart docker");
        }

        var remedies = new List<Remedy> { Remedy.Bash([.. steps]) };
        // The other road: let a restart of nftables.service restart dockerd after it (its rules come back; containers restart unless live-restore).
        remedies.Add(Remedy.Bash("mkdir -p /etc/systemd/system/docker.service.d",
            "printf '[Unit]\\nAfter=nftables.service\\nPartOf=nftables.service\\n' > /etc/systemd/system/docker.service.d/after-nftables.conf",
            "systemctl daemon-reload"));
        return new Finding(FindingIds.NftablesServiceFlushesRuleset, severity, FindingSubject.ForUnit(n.Unit), message, evidence, remedies, RepairIntent.Nothing);
    }

    private static IEnumerable<Finding> Ufw(HostFacts facts, bool dockerUp, IReadOnlyList<PublishedPortFact> published)
    {
        var u = facts.Ufw;
        if (u is null || !u.Active || u.DockerUserJumpsToUfw || !dockerUp)
        {
            yield break;
        }

        var outside = facts.Firewalld.OutsideInterface;
        var inIface = outside is null ? string.Empty : $"-i {outside} ";
        var ports = published.Select(p => $"{p.Port}/{p.Protocol}").Distinct().ToList();
        var example = published.FirstOrDefault();
        yield return new Finding(FindingIds.UfwDoesNotFilterPublishedPorts, FindingSeverity.Info, FindingSubject.ForUnit("ufw.service"),
            $"ufw is active, but its rules do not filter Docker-published ports{(ports.Count > 0 ? " (" + string.Join(", ", ports) + ")" : string.Empty)}: Docker DNATs them in nat PREROUTING, so their traffic is forwarded (FORWARD: DOCKER-USER first, then Docker's own chains, which accept it) and never reaches ufw's INPUT chains. What filters a published port is a rule in DOCKER-USER (matching the original port with -m conntrack --ctorigdstport), or publishing it on 127.0.0.1 only.",
            [$"{UfwConfig.ConfPath}: ENABLED=yes", $"iptables-{facts.DefaultIptablesVariant}: chain filter/{UfwConfig.UserInputChain} loaded", "filter/DOCKER-USER: no jump to a ufw chain",
                $"ufw rules: {u.Rules.Count}{(u.Unreadable.Count > 0 ? "; unreadable: " + string.Join(", ", u.Unreadable) : string.Empty)}"],
            example is null ? []
                : [Remedy.Bash($"iptables -I DOCKER-USER {inIface}-p {example.Protocol} -m conntrack --ctorigdstport {example.Port} --ctdir ORIGINAL -j DROP")],
            RepairIntent.Nothing);

        // ufw's rules name a port whatever its family: one finding per port and protocol, not one per binding ([::] too).
        foreach (var p in published.OrderBy(x => x.Family).DistinctBy(x => (x.Port, x.Protocol)))
        {
            // A rule that filters: deny, reject, limit, or an allow narrowed to a source (the default policy denying the rest).
            var meant = u.Rules.Where(r => r.Direction == "in" && r.Names(p.Port, p.Protocol) &&
                (r.Action is "deny" or "reject" or "limit" || (r.Action == "allow" && r.Source is not ("0.0.0.0/0" or "::/0" or "any")))).ToList();
            if (meant.Count == 0)
            {
                continue;
            }

            var subject = FindingSubject.ForPort(p.Port, p.Protocol);
            var remedies = meant.Select(r =>
            {
                var tool = r.Text.StartsWith("user6.rules", StringComparison.Ordinal) ? "ip6tables" : "iptables";
                var source = r.Action == "allow" ? $"! -s {r.Source} " : r.Source is "0.0.0.0/0" or "::/0" or "any" ? string.Empty : $"-s {r.Source} ";
                var verdict = r.Action == "reject" ? "REJECT" : "DROP";
                return Remedy.Bash($"{tool} -I DOCKER-USER {inIface}{source}-p {p.Protocol} -m conntrack --ctorigdstport {p.Port} --ctdir ORIGINAL -j {verdict}");
            }).Distinct().ToList();
            yield return new Finding(FindingIds.UfwRuleIgnoredForPublishedPort, FindingSeverity.Warning, subject,
                $"ufw has {(meant.Count == 1 ? "a rule" : "rules")} for {subject} ({string.Join("; ", meant.Select(r => r.Text))}), but {subject} is published by Docker ({p.ContainerName}): its traffic is DNATed past ufw's INPUT rules, so outside clients reach the container whatever ufw says. Filter it in DOCKER-USER instead (not kept across reboots by itself), or publish it on 127.0.0.1 only.",
                [.. meant.Select(r => "ufw " + r.Text), $"Docker publishes {subject} -> {p.ContainerIp}:{p.ContainerPort}{(p.DnatRulePresent ? " (DNAT rule present)" : string.Empty)}"],
                remedies, RepairIntent.Nothing);
        }
    }

    private static string Stamp(DateTimeOffset t) => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
