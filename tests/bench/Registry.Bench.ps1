<#
.SYNOPSIS
    Test-RegistryReachable over 256 lab endpoints (128 black-holed by an iptables DROP rule, 64 refused, 64 live
    registry endpoints) with -TimeoutSec 1: the wall time against the single timeout (target at most 1.5x: the work
    is really concurrent) and against Test-Connection -TcpPort in a loop and in ForEach-Object -Parallel
    -ThrottleLimit 32. Ratios from one run; the machine is shared and noisy.
    The sequential Test-Connection loop over all 256 would take more than 128 s (one full timeout per dropped
    endpoint), so it is measured on a 32-endpoint subset with the same mix (16/8/8) and scaled by 8; the output says so.
    Needs root (it brings up the registry lab with prefix rgb); skips otherwise.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
if ((& id -u) -ne '0') { Write-Warning 'Registry bench skipped: the registry lab needs root.'; return }
Import-Module (Join-Path $PSScriptRoot '../lab/RegistryLab.psm1') -Force
$ModulePath = (Resolve-Path $ModulePath).Path

$lab = Start-RegistryLab -Prefix 'rgb'
try {
    $m = Invoke-InProbeNamespace -Namespace $lab.ProbeNamespace -ModulePath $ModulePath -ScriptBlock {
        $R = '198.51.100.10'
        $dropped = 0..127 | ForEach-Object { "${R}:$(40000 + $_)" }
        $refused = 0..63 | ForEach-Object { "${R}:$(30000 + $_)" }
        $live = 0..63 | ForEach-Object { "${R}:$(21000 + $_)" }
        # Interleaved so no kind is favoured by its position.
        $all = for ($i = 0; $i -lt 64; $i++) { $dropped[2 * $i]; $refused[$i]; $dropped[2 * $i + 1]; $live[$i] }
        $subset = for ($i = 0; $i -lt 8; $i++) { $dropped[2 * $i]; $refused[$i]; $dropped[2 * $i + 1]; $live[$i] }
        function Time([scriptblock] $Work) { $sw = [Diagnostics.Stopwatch]::StartNew(); $out = & $Work; $sw.Stop(); , @($sw.Elapsed.TotalSeconds, $out) }

        # Warm-up: JIT and the first connections, outside the measurement.
        $null = Test-RegistryReachable "${R}:5009", "${R}:21000", "${R}:40999" -TimeoutSec 1
        $null = Test-Connection -TargetName $R -TcpPort 21000 -TimeoutSeconds 1 -Quiet

        $api256 = Time { Test-RegistryReachable $all -TimeoutSec 1 -ThrottleLimit 256 }
        $api64 = Time { Test-RegistryReachable $all -TimeoutSec 1 }
        $tcp256 = Time { Test-RegistryReachable $all -TimeoutSec 1 -ThrottleLimit 256 -TcpOnly }
        $seq = Time { foreach ($e in $subset) { $h, $p = $e -split ':'; Test-Connection -TargetName $h -TcpPort ([int]$p) -TimeoutSeconds 1 -Quiet } }
        $par = Time { $all | ForEach-Object -Parallel { $h, $p = $_ -split ':'; Test-Connection -TargetName $h -TcpPort ([int]$p) -TimeoutSeconds 1 -Quiet } -ThrottleLimit 32 }
        @{
            Api256 = $api256[0]; Api64 = $api64[0]; Tcp256 = $tcp256[0]; SeqSubset = $seq[0]; SeqCount = $subset.Count; Par = $par[0]
            Outcomes256 = @($api256[1] | Group-Object { "$($_.Outcome)" } | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Count)" }) -join ' '
            Outcomes64 = @($api64[1] | Group-Object { "$($_.Outcome)" } | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Count)" }) -join ' '
            ParTrue = @($par[1] | Where-Object { $_ }).Count; SeqTrue = @($seq[1] | Where-Object { $_ }).Count
        }
    }
}
finally {
    Stop-RegistryLab -Prefix 'rgb'
}

$timeout = 1.0
$seqAll = $m.SeqSubset * (256 / $m.SeqCount)
'256 endpoints: 128 dropped (timeout), 64 refused, 64 live registries; -TimeoutSec 1'
"  outcomes (-ThrottleLimit 256): $($m.Outcomes256)"
"  outcomes (default throttle 64): $($m.Outcomes64)"
"{0,-64} {1,8:N2} s" -f 'Test-RegistryReachable -ThrottleLimit 256 (TCP + GET /v2/)', $m.Api256
"{0,-64} {1,8:N2} s" -f 'Test-RegistryReachable, default -ThrottleLimit 64', $m.Api64
"{0,-64} {1,8:N2} s" -f 'Test-RegistryReachable -ThrottleLimit 256 -TcpOnly', $m.Tcp256
"{0,-64} {1,8:N2} s" -f "Test-Connection -TcpPort loop, measured on $($m.SeqCount) (same mix), x$(256 / $m.SeqCount)", $seqAll
"{0,-64} {1,8:N2} s" -f 'Test-Connection -TcpPort in ForEach-Object -Parallel -ThrottleLimit 32', $m.Par
"  (Test-Connection says true for $($m.ParTrue) of 256; it cannot tell dropped from refused)"
"ratio: Test-RegistryReachable -ThrottleLimit 256 / single timeout = {0:N2}x (target <= 1.5x)" -f ($m.Api256 / $timeout)
"ratio: Test-RegistryReachable default throttle 64 / single timeout = {0:N2}x (128 dropped / 64 slots = 2 timeouts)" -f ($m.Api64 / $timeout)
"ratio: Test-Connection loop (scaled) / Test-RegistryReachable 256 = {0:N1}x" -f ($seqAll / $m.Api256)
"ratio: Test-Connection -Parallel 32 / Test-RegistryReachable 256  = {0:N1}x" -f ($m.Par / $m.Api256)
