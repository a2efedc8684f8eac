<#
.SYNOPSIS
    Cold start on this machine (no lab, no root needed): a bare `pwsh -NoProfile -c 1`, `pwsh -NoProfile -c
    'Import-Module <psd1>'` and import plus one cheap command (Get-IpForward, /proc only), each a new pwsh, interleaved,
    the median of 7 after a warm-up; wall time and CPU time (user+system of the child, from bash's time: steadier than wall time on a
    shared machine). Also, inside one pwsh, what Import-Module itself and the first command cost. -CompareModulePath
    times another build the same way in the same run (an earlier build, to show before and after).
    Cold figures on the lab Docker host (import + one Test-DockerHost against the shell script) are in DockerHost.Bench.ps1.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [string] $CompareModulePath, [int] $Count = 7)
$ErrorActionPreference = 'Stop'
$dotnet = [Environment]::ProcessPath
$pwshDll = [Environment]::GetCommandLineArgs()[0]
$env:DOTNET_SYSTEM_GLOBALIZATION_INVARIANT = '1'
$modules = @((Resolve-Path $ModulePath).Path) + @(if ($CompareModulePath) { (Resolve-Path $CompareModulePath).Path })

function Measure-Child([string] $Command) {
    # One new pwsh running $Command: wall and CPU time (user+system, the child and its children) from bash's time.
    $t = & bash -c 'TIMEFORMAT="%R %U %S"; { time "$@" >/dev/null 2>&1; } 2>&1' _ $dotnet $pwshDll -NoProfile -NonInteractive -c $Command
    $r, $u, $s = [double[]] ("$t".Trim() -split ' ')
    [pscustomobject]@{ Wall = 1000 * $r; Cpu = 1000 * ($u + $s) }
}

function Median([double[]] $v) { ($v | Sort-Object)[[int][Math]::Floor($v.Count / 2)] }

$cases = [ordered]@{ 'bare pwsh -c 1' = '1' }
foreach ($m in $modules) {
    $cases["import $m"] = "Import-Module '$m'"
    $cases["import + Get-IpForward $m"] = "Import-Module '$m'; `$null = Get-IpForward"
}
$samples = @{}
foreach ($k in $cases.Keys) { $samples[$k] = [Collections.Generic.List[object]]::new() }
$null = Measure-Child '1'
foreach ($round in 1..$Count) {
    $keys = @($cases.Keys)
    if ($round % 2 -eq 0) { [array]::Reverse($keys) }
    foreach ($k in $keys) { $samples[$k].Add((Measure-Child $cases[$k])) }
}
$fig = [ordered]@{}
foreach ($k in $cases.Keys) { $fig[$k] = [pscustomobject]@{ Wall = Median $samples[$k].Wall; Cpu = Median $samples[$k].Cpu } }
$bare = $fig['bare pwsh -c 1']
'{0,-12} wall {1,6:N0} ms  cpu {2,6:N0} ms' -f 'bare pwsh', $bare.Wall, $bare.Cpu
foreach ($m in $modules) {
    $i = $fig["import $m"]; $c = $fig["import + Get-IpForward $m"]
    "module $m"
    '  import                  wall {0,6:N0} ms ({1:N2}x bare)  cpu {2,6:N0} ms ({3:N2}x bare)' -f $i.Wall, ($i.Wall / $bare.Wall), $i.Cpu, ($i.Cpu / $bare.Cpu)
    '  import + Get-IpForward  wall {0,6:N0} ms ({1:N2}x bare)  cpu {2,6:N0} ms ({3:N2}x bare)' -f $c.Wall, ($c.Wall / $bare.Wall), $c.Cpu, ($c.Cpu / $bare.Cpu)
    # Inside one pwsh: Import-Module alone and the first command (its JIT), without pwsh's own start.
    $inner = foreach ($n in 1..$Count) {
        $o = & $dotnet $pwshDll -NoProfile -NonInteractive -c "`$p=[Diagnostics.Process]::GetCurrentProcess(); `$c0=`$p.TotalProcessorTime; `$w=[Diagnostics.Stopwatch]::StartNew(); Import-Module '$m'; `$p.Refresh(); `$i=`$w.Elapsed.TotalMilliseconds; `$c1=`$p.TotalProcessorTime; `$null = Get-IpForward; `$p.Refresh(); '{0} {1} {2} {3}' -f `$i, (`$c1-`$c0).TotalMilliseconds, (`$w.Elapsed.TotalMilliseconds-`$i), (`$p.TotalProcessorTime-`$c1).TotalMilliseconds"
        , [double[]] ("$o".Trim() -split ' ')
    }
    '  in one pwsh: Import-Module wall {0:N0} ms, cpu {1:N0} ms; first Get-IpForward wall {2:N0} ms, cpu {3:N0} ms' -f `
        (Median ($inner | ForEach-Object { $_[0] })), (Median ($inner | ForEach-Object { $_[1] })), (Median ($inner | ForEach-Object { $_[2] })), (Median ($inner | ForEach-Object { $_[3] }))
}
'cores: {0}; load: {1}' -f [Environment]::ProcessorCount, ((Get-Content /proc/loadavg -Raw) -split ' ')[0]
