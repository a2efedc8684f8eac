<#
.SYNOPSIS
    On the lab Docker host (needs root): Test-DockerHost's wall time against (a) the slowest single native call it makes
    and (b) a shell script asking the same questions one call after another; and Watch-DockerHostNetState's CPU use over a
    minute at a 1 s interval and how soon it reports a flushed nat DOCKER chain. Ratios from one run (the machine is shared and noisy).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    # Another build (an earlier one) whose cold start is timed the same way in the same run, for before and after.
    [string] $CompareModulePath,
    # Leave out the watcher's figures (a minute on bookworm, half a minute on each other generation).
    [switch] $SkipWatch
)
$ErrorActionPreference = 'Stop'
if ((& id -u) -ne '0') { Write-Warning 'DockerHost bench skipped: the lab Docker host needs root.'; return }
$env:DHT_MODULE_PATH = (Resolve-Path $ModulePath).Path
Import-Module (Join-Path $PSScriptRoot '../lab/DockerLab.psm1') -Force
function Measure-Warm($lab) {
    # Test-DockerHost warm against the slowest single call and the sequential shell script, on one generation.
    $r = Invoke-DockerLabPwsh $lab {
        function Time([scriptblock] $s, [int] $n = 3) {
            & $s | Out-Null
            $t = foreach ($i in 1..$n) { $w = [Diagnostics.Stopwatch]::StartNew(); & $s | Out-Null; $w.Elapsed.TotalMilliseconds }
            ($t | Sort-Object)[[int][Math]::Floor($n / 2)]
        }
        $calls = [ordered]@{
            'firewall-cmd --list-all-zones'             = { firewall-cmd --list-all-zones }
            'firewall-cmd --permanent --list-all-zones' = { firewall-cmd --permanent --list-all-zones }
            'busctl firewalld state'                    = { busctl get-property org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1 state }
            'iptables-nft-save'                         = { iptables-nft-save }
            'iptables-legacy-save'                      = { iptables-legacy-save }
            'systemctl show (6 units)'                  = { systemctl show docker containerd firewalld network NetworkManager systemd-networkd -p Id,ActiveState }
            'Engine API /containers/json'               = { curl -s --unix-socket /run/docker.sock 'http://d/v1.41/containers/json?all=1' }
        }
        $single = foreach ($k in $calls.Keys) { [pscustomobject]@{ Call = $k; Ms = Time $calls[$k] } }
        $script = @'
firewall-cmd --state; firewall-cmd --get-default-zone; firewall-cmd --get-active-zones
firewall-cmd --list-all-zones; firewall-cmd --permanent --list-all-zones
iptables-nft-save; iptables-legacy-save
systemctl show docker containerd firewalld -p ActiveState,ActiveEnterTimestampMonotonic
curl -s --unix-socket /run/docker.sock http://d/v1.41/containers/json?all=1
sysctl -n net.ipv4.ip_forward; cat /etc/sysctl.d/*.conf /etc/sysctl.conf
'@
        $sh = Time { sh -c $script 2>&1 }
        $test = Time { Test-DockerHost }
        [pscustomobject]@{ Single = $single; Shell = $sh; Test = $test }
    }
    if ($r.Errors) { throw ($r.Errors | ForEach-Object Message) -join "`n" }
    $m = $r.Output[0]
    $script:m = $m   # the cold figures below are ratios to this generation's shell script
    $slowest = $m.Single | Sort-Object Ms -Descending | Select-Object -First 1
    "[$($lab.Generation)]"
    '{0,-48} {1,8:N0} ms' -f 'Test-DockerHost (median of 3, warm)', $m.Test
    foreach ($s in $m.Single) { '  {0,-46} {1,8:N0} ms' -f $s.Call, $s.Ms }
    '{0,-48} {1,8:N0} ms' -f 'shell script, the same questions one after another', $m.Shell
    'ratio: Test-DockerHost / slowest single call ({0}) = {1:N2}x (target <= 1.3x)' -f $slowest.Call, ($m.Test / $slowest.Ms)
    'ratio: Test-DockerHost / sequential shell script = {0:N3}x (target <= 0.05x)' -f ($m.Test / $m.Shell)

}

function Measure-Watch($lab, [int] $Seconds) {
    # Watch-DockerHostNetState at -Interval 1: its CPU over $Seconds of steady state (a quiet host) against an idle pwsh
    # with the module for as long, then one flush of nat DOCKER and how long until the change reaches the pipeline.
    $r = Invoke-DockerLabPwsh $lab -ArgumentList $Seconds {
        param($seconds)
        $pwshDll = [Environment]::GetCommandLineArgs()[0]
        $module = (Get-Module DockerHostTools).Path -replace '\.dll$', '.psd1'
        $tick = 100.0   # USER_HZ
        function Cpu([int] $id) { $f = ((Get-Content "/proc/$id/stat" -Raw) -split '\) ')[1] -split ' '; ([double]$f[11] + [double]$f[12]) / $tick }
        $seen = Join-Path ([IO.Path]::GetTempPath()) 'dht-bench-watch.txt'
        Remove-Item $seen -ErrorAction Ignore
        # Each change as it reaches the pipeline: the time it arrived, its own timestamp, what changed.
        $watch = Start-Process -PassThru -FilePath ([Environment]::ProcessPath) -ArgumentList $pwshDll, '-NoProfile', '-NonInteractive', '-Command',
            "Import-Module '$module'; Watch-DockerHostNetState -Interval 1 -Duration $($seconds + 90) | ForEach-Object { Add-Content '$seen' ('{0} {1} {2}' -f [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds(), `$_.Timestamp.ToUnixTimeMilliseconds(), `$_.What) }"
        $idle = Start-Process -PassThru -FilePath ([Environment]::ProcessPath) -ArgumentList $pwshDll, '-NoProfile', '-NonInteractive', '-Command',
            "Import-Module '$module'; Start-Sleep -Seconds $($seconds + 90)"
        # Past start-up, the baseline and the runtime's tiered JIT (a method called once a tick is recompiled after 30
        # calls, so 30 s at -Interval 1): the steady state is what a long watch costs.
        Start-Sleep -Seconds 45
        $w0 = Cpu $watch.Id; $i0 = Cpu $idle.Id; $t0 = [DateTime]::UtcNow
        Start-Sleep -Seconds $seconds
        $w1 = Cpu $watch.Id; $i1 = Cpu $idle.Id; $secs = ([DateTime]::UtcNow - $t0).TotalSeconds
        $quiet = @(if (Test-Path $seen) { Get-Content $seen })
        # The flush: what a firewalld start or reload does to Docker's rules where it flushes them.
        $flushedAt = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds()
        & iptables -t nat -F DOCKER
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        $hit = $null
        while (-not $hit -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 50
            $hit = @(if (Test-Path $seen) { Get-Content $seen }) | Where-Object { $_ -match ' (DNAT \d+/\w+|iptables-\w+ nat/DOCKER)$' -and [long]($_ -split ' ')[0] -ge $flushedAt } | Select-Object -First 1
        }
        $watch.Kill(); $idle.Kill()
        & systemctl restart docker   # puts Docker's rules back for what is measured next
        $arrived, $stamped = if ($hit) { [long[]] (($hit -split ' ')[0, 1]) } else { $null, $null }
        [pscustomobject]@{
            WatchPct = 100 * ($w1 - $w0) / $secs; IdlePct = 100 * ($i1 - $i0) / $secs; Seconds = $secs; QuietChanges = $quiet.Count
            ArrivedMs = if ($hit) { $arrived - $flushedAt } else { $null }; StampedMs = if ($hit) { $stamped - $flushedAt } else { $null }; Hit = $hit
        }
    }
    if ($r.Errors) { throw ($r.Errors | ForEach-Object Message) -join "`n" }
    $c = $r.Output[0]
    $self = $c.WatchPct - $c.IdlePct
    "[$($lab.Generation)] Watch-DockerHostNetState -Interval 1, steady state over {0:N0} s ({1} changes reported on the quiet host): {2:N3}% of one core; an idle pwsh with the module: {3:N3}%; the watching itself: {4:N3}%" -f $c.Seconds, $c.QuietChanges, $c.WatchPct, $c.IdlePct, $self
    'ratio: the watching itself / target 0.2% of one core = {0:N2}x (target <= 1x)' -f ($self / 0.2)
    if ($null -eq $c.ArrivedMs) { 'flushed nat DOCKER: no change reported within 20 s' }
    else {
        'flushed nat DOCKER -> reported ({0}): in the pipeline after {1:N0} ms (its timestamp {2:N0} ms after the flush)' -f ($c.Hit -split ' ', 3)[2], $c.ArrivedMs, $c.StampedMs
        'ratio: flush-to-report / target 1 s = {0:N3}x (target <= 1x); / the old -SlowEvery poll of 15 s = {1:N4}x' -f ($c.ArrivedMs / 1000), ($c.ArrivedMs / 15000)
    }
}

$lab = Start-NspawnLab
try {
    Measure-Warm $lab

    # Cold: each a new pwsh in the machine (median of 3 after a warm-up): bare, import, import + one Test-DockerHost.
    $modules = @('')
    if ($CompareModulePath) {
        # the machine sees the lab's transfer folder at /dkx
        $copy = Join-Path $lab.Dir 'compare-module'
        Remove-Item $copy -Recurse -Force -ErrorAction Ignore
        Copy-Item (Split-Path (Resolve-Path $CompareModulePath).Path) $copy -Recurse
        $modules += '/dkx/compare-module/' + (Split-Path $CompareModulePath -Leaf)
    }
    foreach ($other in $modules) {
    $cold = Invoke-DockerLabPwsh $lab -ArgumentList $other {
        param($other)
        $pwshDll = [Environment]::GetCommandLineArgs()[0]
        $module = if ($other) { $other } else { (Get-Module DockerHostTools).Path -replace '\.dll$', '.psd1' }
        function Child([string] $c) {
            $t = & bash -c 'TIMEFORMAT="%R %U %S"; { time "$@" >/dev/null 2>&1; } 2>&1' _ ([Environment]::ProcessPath) $pwshDll -NoProfile -NonInteractive -c $c
            $r, $u, $s = [double[]] ("$t".Trim() -split ' '); [pscustomobject]@{ Wall = 1000 * $r; Cpu = 1000 * ($u + $s) }
        }
        $cases = [ordered]@{ Bare = '1'; Import = "Import-Module '$module'"; Test = "Import-Module '$module'; `$null = Test-DockerHost" }
        $null = Child '1'; $null = Child $cases.Test
        $samples = @{ Bare = @(); Import = @(); Test = @() }
        foreach ($round in 1..3) { foreach ($k in @($cases.Keys)) { $samples[$k] += Child $cases[$k] } }
        $med = { param($v) ($v | Sort-Object)[1] }
        [pscustomobject]@{
            Bare = & $med $samples.Bare.Wall; Import = & $med $samples.Import.Wall; Test = & $med $samples.Test.Wall
            BareCpu = & $med $samples.Bare.Cpu; ImportCpu = & $med $samples.Import.Cpu; TestCpu = & $med $samples.Test.Cpu; Module = $module
        }
    }
    if ($cold.Errors) { throw ($cold.Errors | ForEach-Object Message) -join "`n" }
    $k = $cold.Output[0]
    "cold start of $($k.Module)"
    'cold, new pwsh each (median of 3): bare {0:N0} ms, + Import-Module {1:N0} ms, + import and one Test-DockerHost {2:N0} ms (cpu {3:N0} / {4:N0} / {5:N0} ms)' -f $k.Bare, $k.Import, $k.Test, $k.BareCpu, $k.ImportCpu, $k.TestCpu
    'ratio: (import + one Test-DockerHost - bare pwsh) / sequential shell script = {0:N3}x (target <= 0.15x); import alone - bare = {1:N3}x' -f (($k.Test - $k.Bare) / $m.Shell), (($k.Import - $k.Bare) / $m.Shell)
    }
    if (-not $SkipWatch) { Measure-Watch $lab 60 }
}
finally { Stop-NspawnLab }

# The same warm ratio on the other generations of the lab (issue 11: Docker 26 + firewalld 2.3, Docker 28 + firewalld 2.5).
foreach ($g in @(Get-NspawnLabGeneration 'all').Generation | Where-Object { $_ -ne 'bookworm' }) {
    $other = Start-NspawnLab -Generation $g
    try {
        Measure-Warm $other
        if (-not $SkipWatch) { Measure-Watch $other 30 }   # half the bookworm window: the bench stays a few minutes
    }
    finally { Stop-NspawnLab $other }
}
