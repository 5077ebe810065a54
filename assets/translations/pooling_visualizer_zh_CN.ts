<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name></name>
    <message>
        <source>Zeros</source>
        <translation>全 0</translation>
    </message>
    <message>
        <source>Ones</source>
        <translation>全 1</translation>
    </message>
    <message>
        <source>Ramp 1, 2, 3, …</source>
        <translation>递增 1, 2, 3, …</translation>
    </message>
    <message>
        <source>Checkerboard</source>
        <translation>棋盘格</translation>
    </message>
    <message>
        <source>Ties everywhere</source>
        <translation>处处并列</translation>
    </message>
    <message>
        <source>Negative values</source>
        <translation>负数</translation>
    </message>
    <message>
        <source>Integers in a range</source>
        <translation>范围内的整数</translation>
    </message>
    <message>
        <source>Uniform floats</source>
        <translation>均匀分布小数</translation>
    </message>
    <message>
        <source>Normal floats</source>
        <translation>正态分布小数</translation>
    </message>
    <message>
        <source>image ({name}) could not be read: {reason}</source>
        <translation>无法读取图像（{name}）：{reason}</translation>
    </message>
    <message>
        <source>image ({name}) has {width}×{height} pixels; at most {limit} million pixels are read</source>
        <translation>图像（{name}）有 {width}×{height} 像素；最多读取 {limit} 百万像素</translation>
    </message>
    <message>
        <source>image ({name}) declares more pixels than can be decoded safely (a decompression bomb?); at most {limit} million pixels are read</source>
        <translation>图像（{name}）声明的像素多于可安全解码的数量（解压缩炸弹？）；最多读取 {limit} 百万像素</translation>
    </message>
    <message>
        <source>{name}: {depth} {kind}, {size}; values as stored: {low} … {high}</source>
        <translation>{name}：{depth}，{kind}，{size}；数值按文件中存储的原样保留：{low} … {high}</translation>
    </message>
    <message>
        <source>{width}×{height} scaled down to {shown_width}×{shown_height}</source>
        <translation>{width}×{height} 缩小为 {shown_width}×{shown_height}</translation>
    </message>
    <message>
        <source>8-bit (0 … 255)</source>
        <translation>8 位（0 … 255）</translation>
    </message>
    <message>
        <source>16-bit (0 … 65535, not scaled to 0 … 255)</source>
        <translation>16 位（0 … 65535，不缩放到 0 … 255）</translation>
    </message>
    <message>
        <source>32-bit integer (not scaled)</source>
        <translation>32 位整数（不缩放）</translation>
    </message>
    <message>
        <source>32-bit float (not scaled)</source>
        <translation>32 位浮点数（不缩放）</translation>
    </message>
    <message>
        <source>grayscale</source>
        <translation>灰度</translation>
    </message>
    <message>
        <source>PNG image (*.png);;SVG vector image (*.svg)</source>
        <translation>PNG 图像 (*.png);;SVG 矢量图 (*.svg)</translation>
    </message>
    <message>
        <source>Input X</source>
        <translation>输入 X</translation>
    </message>
    <message>
        <source>Kernel W</source>
        <translation>卷积核 W</translation>
    </message>
    <message>
        <source>Output Y</source>
        <extracomment>How the worker is started after the Python executable (a test puts a crashing script here).</extracomment>
        <translation>输出 Y</translation>
    </message>
    <message>
        <source>Argmax mask</source>
        <translation>Argmax 掩码</translation>
    </message>
    <message>
        <source>Upstream gradient dY</source>
        <translation>上游梯度 dY</translation>
    </message>
    <message>
        <source>Input gradient dX</source>
        <translation>输入梯度 dX</translation>
    </message>
    <message>
        <source>Kernel gradient dW</source>
        <translation>卷积核梯度 dW</translation>
    </message>
    <message>
        <source>Forward, then backward</source>
        <translation>先前向，再反向</translation>
    </message>
    <message>
        <source>Forward only</source>
        <translation>仅前向</translation>
    </message>
    <message>
        <source>Backward only</source>
        <translation>仅反向</translation>
    </message>
    <message>
        <source>{file}: images are not exported as .{suffix}; use .png or .svg</source>
        <translation>{file}：图像不能导出为 .{suffix}；请使用 .png 或 .svg</translation>
    </message>
    <message>
        <source>could not write {file}</source>
        <translation>无法写入 {file}</translation>
    </message>
    <message>
        <source>{matrix} is not shown for {op} (nothing to export)</source>
        <translation>运算 {op} 下不显示{matrix}（没有可导出的内容）</translation>
    </message>
    <message>
        <source>{file}: an animation is exported as .gif, not {suffix}</source>
        <translation>{file}：动画导出为 .gif，而不是 {suffix}</translation>
    </message>
    <message>
        <source>GIF delay ({delay}) must be a whole number of milliseconds</source>
        <translation>GIF 帧间隔（{delay}）必须是整数毫秒</translation>
    </message>
    <message>
        <source>GIF delay ({delay} ms) must be between {low} and {high} ms</source>
        <translation>GIF 帧间隔（{delay} 毫秒）必须在 {low} 到 {high} 毫秒之间</translation>
    </message>
    <message>
        <source>this stepping has {frames} frames; a GIF can hold at most {limit} (export one phase, or use a smaller input or a larger stride)</source>
        <translation>这次步进有 {frames} 帧，而一个 GIF 最多只能有 {limit} 帧（请只导出一个阶段，或使用更小的输入或更大的步长）</translation>
    </message>
    <message>
        <source>{frames} frames of {width}×{height} pixels are more than a GIF export may hold ({limit} million pixels in all); export one phase or one matrix, or make the window smaller</source>
        <translation>{frames} 帧 {width}×{height} 像素超出了 GIF 导出的容量（总共 {limit} 百万像素）；请只导出一个阶段或一个矩阵，或把窗口调小</translation>
    </message>
    <message>
        <source>no file name given</source>
        <translation>没有给出文件名</translation>
    </message>
    <message>
        <source>it is a folder; choose a file name</source>
        <translation>这是一个文件夹；请选择一个文件名</translation>
    </message>
    <message>
        <source>{file}: these files are written as {suffix}, not {other}</source>
        <translation>{file}：这些文件写为 {suffix}，而不是 {other}</translation>
    </message>
    <message>
        <source>no such folder</source>
        <translation>文件夹不存在</translation>
    </message>
    <message>
        <source>Export animation (GIF)</source>
        <translation>导出动画（GIF）</translation>
    </message>
    <message>
        <source>All matrices</source>
        <translation>所有矩阵</translation>
    </message>
    <message>
        <source>Lecture view (matrices, counter, arithmetic)</source>
        <translation>讲课视图（矩阵、步数、算式）</translation>
    </message>
    <message>
        <source>Whole window</source>
        <translation>整个窗口</translation>
    </message>
    <message>
        <source>{matrix} is not shown alone in Stack mode: export all matrices</source>
        <translation>层堆叠模式下不单独显示{matrix}：请导出全部矩阵</translation>
    </message>
    <message>
        <source>{matrix} is not shown alone in compare mode: export all matrices</source>
        <translation>对比模式下不单独显示{matrix}：请导出全部矩阵</translation>
    </message>
    <message>
        <source>this stepping has {frames} frames; a GIF can hold at most {limit} (step the stack by layer, or export one phase)</source>
        <translation>这次步进有 {frames} 帧，而一个 GIF 最多只能有 {limit} 帧（请按层步进，或只导出一个阶段）</translation>
    </message>
    <message>
        <source> ms per step</source>
        <translation> 毫秒/步</translation>
    </message>
    <message>
        <source>Window size</source>
        <translation>窗口大小</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>录制</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>Delay</source>
        <translation>帧间隔</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <source>Window image (PNG / SVG)…</source>
        <translation>窗口图像（PNG / SVG）…</translation>
    </message>
    <message>
        <source>Matrices image (PNG / SVG)…</source>
        <translation>矩阵图像（PNG / SVG）…</translation>
    </message>
    <message>
        <source>Animation (GIF)…</source>
        <translation>动画（GIF）…</translation>
    </message>
    <message>
        <source>Matrices as CSV…</source>
        <translation>矩阵导出为 CSV…</translation>
    </message>
    <message>
        <source>Matrices as NumPy .npy…</source>
        <translation>矩阵导出为 NumPy .npy…</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>One matrix (PNG / SVG)</source>
        <translation>单个矩阵（PNG / SVG）</translation>
    </message>
    <message>
        <source>{matrix}…</source>
        <translation>{matrix}…</translation>
    </message>
    <message>
        <source>Export: images, GIF animation, CSV / NumPy</source>
        <translation>导出：图像、GIF 动画、CSV / NumPy</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>Wrote {file}</source>
        <translation>已写入 {file}</translation>
    </message>
    <message>
        <source>Wrote {count} files in {folder}</source>
        <translation>已在 {folder} 中写入 {count} 个文件</translation>
    </message>
    <message>
        <source>Export image</source>
        <translation>导出图像</translation>
    </message>
    <message>
        <source>Recording the steps…</source>
        <translation>正在录制各个步骤…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Export animation</source>
        <translation>导出动画</translation>
    </message>
    <message>
        <source>GIF export cancelled</source>
        <translation>已取消 GIF 导出</translation>
    </message>
    <message>
        <source>GIF animation (*.gif)</source>
        <translation>GIF 动画 (*.gif)</translation>
    </message>
    <message>
        <source>could not write {file}: {reason}</source>
        <translation>无法写入 {file}：{reason}</translation>
    </message>
    <message>
        <source>Export matrices as CSV (one file per plane, named after this one)</source>
        <translation>将矩阵导出为 CSV（每个平面一个文件，以此文件名命名）</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>Export matrices as NumPy (one .npy per array, named after this one)</source>
        <translation>将矩阵导出为 NumPy（每个数组一个 .npy 文件，以此文件名命名）</translation>
    </message>
    <message>
        <source>NumPy array (*.npy)</source>
        <translation>NumPy 数组 (*.npy)</translation>
    </message>
    <message>
        <source>{name} must be a single int or a pair of ints (height, width), got {value}</source>
        <translation>{name} 必须是一个整数或一对整数（高, 宽），实际为 {value}</translation>
    </message>
    <message>
        <source>{name} ({value}) must be greater than zero</source>
        <translation>{name}（{value}）必须大于零</translation>
    </message>
    <message>
        <source>ceil_mode must be True or False, got {value}</source>
        <translation>ceil_mode 必须是 True 或 False，实际为 {value}</translation>
    </message>
    <message>
        <source>padding ({padding}) must be non-negative</source>
        <translation>padding（{padding}）不能为负数</translation>
    </message>
    <message>
        <source>padding ({padding}) must be at most half of kernel_size ({kernel})</source>
        <translation>padding（{padding}）最多只能是 kernel_size（{kernel}）的一半</translation>
    </message>
    <message>
        <source>padding (&apos;same&apos;) requires stride 1, got stride ({stride})</source>
        <translation>padding（&apos;same&apos;）要求步长为 1，实际步长为（{stride}）</translation>
    </message>
    <message>
        <source>padding ({padding}) must be an int, a pair of ints, &apos;same&apos; or &apos;valid&apos;</source>
        <translation>padding（{padding}）必须是一个整数、一对整数、&apos;same&apos; 或 &apos;valid&apos;</translation>
    </message>
    <message>
        <source>kernel ({kernel} with dilation) must fit inside the padded input ({padded}); the kernel can&apos;t be larger than the input plus padding</source>
        <translation>卷积核（含膨胀为 {kernel}）必须能放进填充后的输入（{padded}）：卷积核不能大于输入加上填充</translation>
    </message>
    <message>
        <source>input size ({size}) must be at least 1x1 in height and width</source>
        <translation>输入大小（{size}）的高和宽都必须至少为 1x1</translation>
    </message>
    <message>
        <source>kernel_size ({kernel}) is too large for the input ({size}) with stride {stride}, padding {padding} and dilation {dilation}: the output would be {out}, and it must be at least 1x1 ({axis}: {formula})</source>
        <translation>在步长 {stride}、填充 {padding}、膨胀 {dilation} 下，kernel_size（{kernel}）对输入（{size}）来说太大：输出将是 {out}，而输出至少要有 1x1（{axis}：{formula}）</translation>
    </message>
    <message>
        <source>output position ({position}) is outside the output of size {size}</source>
        <translation>输出位置（{position}）超出了大小为 {size} 的输出</translation>
    </message>
    <message>
        <source>step ({step}) must be in 0..{last}</source>
        <translation>步骤（{step}）必须在 0..{last} 之内</translation>
    </message>
    <message>
        <source>{name} ({value}) does not fit in a 64-bit integer: it must lie in {low}..{high}, as in PyTorch</source>
        <translation>{name}（{value}）超出了 64 位整数的范围：它必须在 {low}..{high} 之内，与 PyTorch 相同</translation>
    </message>
    <message>
        <source>padding ({padding}) is too large: the output would be {out} per channel, {elements} values, more than an array can hold (at most {limit})</source>
        <translation>padding（{padding}）太大：每个通道的输出将是 {out}，共 {elements} 个值，超出了数组能容纳的数量（最多 {limit} 个）</translation>
    </message>
    <message>
        <source>{axis_name}: stride, kernel and dilation must be positive</source>
        <translation>{axis_name}：步长、卷积核和膨胀都必须为正数</translation>
    </message>
    <message>
        <source>{message} → {out}: the last window would start in the right padding, so it is dropped</source>
        <translation>{message} → {out}：最后一个窗口会从右侧填充中开始，因此被舍弃</translation>
    </message>
    <message>
        <source>{message}  ✗ the output must be at least 1</source>
        <translation>{message}  ✗ 输出至少要为 1</translation>
    </message>
    <message>
        <source>grad_output shape {shape} must match the output shape {expected}</source>
        <translation>grad_output 的形状 {shape} 必须与输出形状 {expected} 一致</translation>
    </message>
    <message>
        <source>grad_output must hold real numbers, got dtype {dtype}</source>
        <translation>grad_output 必须是实数，实际 dtype 为 {dtype}</translation>
    </message>
    <message>
        <source>ties ({ties}) must be one of &apos;first&apos;, &apos;all&apos; or &apos;split&apos;</source>
        <translation>ties（{ties}）必须是 &apos;first&apos;、&apos;all&apos; 或 &apos;split&apos; 之一</translation>
    </message>
    <message>
        <source>indices must lie in 0..{last} (flat row * W + col positions in one {size} plane); got values from {low} to {high}</source>
        <translation>indices 必须在 0..{last} 之内（即一个 {size} 平面中按 row * W + col 展平的位置），实际取值从 {low} 到 {high}</translation>
    </message>
    <message>
        <source>divisor_override must be an int or None, got {value}</source>
        <translation>divisor_override 必须是整数或 None，实际为 {value}</translation>
    </message>
    <message>
        <source>divisor_override ({value}) must not be zero</source>
        <translation>divisor_override（{value}）不能为零</translation>
    </message>
    <message>
        <source>count_include_pad must be True or False, got {value}</source>
        <translation>count_include_pad 必须是 True 或 False，实际为 {value}</translation>
    </message>
    <message>
        <source>indices must point into their own window, as max_pool2d returns them: output ({position}) of plane ({plane}) has index {index} (row {row}, column {col}), but its window reads rows {rows} and columns {cols}</source>
        <translation>indices 必须指向各自的窗口之内（正如 max_pool2d 返回的那样）：平面（{plane}）中输出（{position}）的索引是 {index}（行 {row}，列 {col}），但它的窗口读取的是行 {rows} 和列 {cols}</translation>
    </message>
    <message>
        <source>weight must be 2-D (kH, kW) when x is 2-D (H, W); got weight of shape {shape}</source>
        <translation>当 x 是二维 (H, W) 时，weight 必须是二维 (kH, kW)；实际 weight 的形状为 {shape}</translation>
    </message>
    <message>
        <source>weight must have shape (C_out, C_in/groups, kH, kW); got shape {shape}</source>
        <translation>weight 的形状必须是 (C_out, C_in/groups, kH, kW)；实际形状为 {shape}</translation>
    </message>
    <message>
        <source>groups ({groups}) must be a positive int</source>
        <translation>groups（{groups}）必须是正整数</translation>
    </message>
    <message>
        <source>weight must not have an empty dimension; got shape {shape}</source>
        <translation>weight 不能有空的维度；实际形状为 {shape}</translation>
    </message>
    <message>
        <source>groups ({groups}) must divide the number of output channels (weight.shape[0] = {channels})</source>
        <translation>groups（{groups}）必须能整除输出通道数（weight.shape[0] = {channels}）</translation>
    </message>
    <message>
        <source>x has {channels} channels, but weight of shape {shape} with groups ({groups}) expects {expected} (C_in = weight.shape[1] · groups)</source>
        <translation>x 有 {channels} 个通道，但形状为 {shape}、groups 为（{groups}）的 weight 需要 {expected} 个（C_in = weight.shape[1] · groups）</translation>
    </message>
    <message>
        <source>bias must have one value per output channel ({channels}); got shape {shape}</source>
        <translation>bias 必须为每个输出通道提供一个值（{channels} 个）；实际形状为 {shape}</translation>
    </message>
    <message>
        <source>{name} must hold real numbers (ints or floats), got dtype {dtype}</source>
        <translation>{name} 必须是实数（整数或浮点数），实际 dtype 为 {dtype}</translation>
    </message>
    <message>
        <source>{name} must have shape {forms}; got shape {shape}</source>
        <translation>{name} 的形状必须是 {forms}；实际形状为 {shape}</translation>
    </message>
    <message>
        <source>{name} must not have an empty channel, height or width dimension; got shape {shape}</source>
        <translation>{name} 的通道、高或宽维度不能为空；实际形状为 {shape}</translation>
    </message>
    <message>
        <source>indices shape {shape} must match the output shape {expected} (pass the indices {op} returned with return_indices=True)</source>
        <translation>indices 的形状 {shape} 必须与输出形状 {expected} 一致（请传入 {op} 在 return_indices=True 时返回的索引）</translation>
    </message>
    <message>
        <source>indices must hold integers ({op}&apos;s return_indices=True output), got dtype {dtype}</source>
        <translation>indices 必须是整数（即 {op} 在 return_indices=True 时的输出），实际 dtype 为 {dtype}</translation>
    </message>
    <message>
        <source>index ({index}) must be in -1..{last}</source>
        <translation>索引（{index}）必须在 -1..{last} 之内</translation>
    </message>
    <message>
        <source>{name} must be one (H, W) plane for a trace; got shape {shape}</source>
        <translation>跟踪记录中的 {name} 必须是一个 (H, W) 平面；实际形状为 {shape}</translation>
    </message>
    <message>
        <source>a conv trace takes x (C, H, W) and weight (C, kH, kW); got {x} and {weight}</source>
        <translation>卷积跟踪记录需要 x (C, H, W) 和 weight (C, kH, kW)；实际为 {x} 和 {weight}</translation>
    </message>
    <message>
        <source>output_size ({height}, {width}) must not be negative</source>
        <translation>output_size（{height}, {width}）不能为负数</translation>
    </message>
    <message>
        <source>output_size ({height}, {width}) must be at least 1 in height and width for the backward pass ({name}_backward, like PyTorch&apos;s, refuses an empty gradient)</source>
        <translation>反向传播要求 output_size（{height}, {width}）的高和宽都至少为 1（{name}_backward 与 PyTorch 一样，不接受空的梯度）</translation>
    </message>
    <message>
        <source>return_indices must be True or False, got {value}</source>
        <translation>return_indices 必须是 True 或 False，实际为 {value}</translation>
    </message>
    <message>
        <source>indices must lie in 0..{last} (flat row * W + col positions in one {h}x{w} plane); got values from {low} to {high}</source>
        <translation>indices 必须在 0..{last} 之内（即一个 {h}x{w} 平面中按 row * W + col 展平的位置），实际取值从 {low} 到 {high}</translation>
    </message>
    <message>
        <source>{name} must be an int, got {value}</source>
        <translation>{name} 必须是整数，实际为 {value}</translation>
    </message>
    <message>
        <source>{name} ({value}) must be at least {low}</source>
        <translation>{name}（{value}）至少为 {low}</translation>
    </message>
    <message>
        <source>output_size must be an int or a pair (height, width) of ints or None, got {value}</source>
        <translation>output_size 必须是一个整数、一对整数（高, 宽）或 None，实际为 {value}</translation>
    </message>
    <message>
        <source>{out_name} = {out}: window i = [floor(i·{name}/{out_name}), ceil((i+1)·{name}/{out_name})) = [floor(i·{size}/{out}), ceil((i+1)·{size}/{out})) → {spans}</source>
        <translation>{out_name} = {out}：第 i 个窗口 = [floor(i·{name}/{out_name}), ceil((i+1)·{name}/{out_name})) = [floor(i·{size}/{out}), ceil((i+1)·{size}/{out})) → {spans}</translation>
    </message>
    <message>
        <source>output_size ({h}, {w}) is empty: no backward</source>
        <translation>output_size（{h}, {w}）为空：没有反向传播</translation>
    </message>
    <message>
        <source>{name} ({value}) must be an int or a pair of ints; conv_transpose2d has no &apos;same&apos; or &apos;valid&apos; padding</source>
        <translation>{name}（{value}）必须是一个整数或一对整数；conv_transpose2d 没有 &apos;same&apos; 或 &apos;valid&apos; 填充</translation>
    </message>
    <message>
        <source>weight must have shape (C_in, C_out/groups, kH, kW); got shape {shape}</source>
        <translation>weight 的形状必须是 (C_in, C_out/groups, kH, kW)；实际形状为 {shape}</translation>
    </message>
    <message>
        <source>output_padding ({output_padding}) must be non-negative</source>
        <translation>output_padding（{output_padding}）不能为负数</translation>
    </message>
    <message>
        <source>groups ({groups}) must divide the number of input channels (weight.shape[0] = {channels})</source>
        <translation>groups（{groups}）必须能整除输入通道数（weight.shape[0] = {channels}）</translation>
    </message>
    <message>
        <source>x has {channels} channels, but weight of shape {shape} expects {expected} (C_in = weight.shape[0] for a transposed convolution)</source>
        <translation>x 有 {channels} 个通道，但形状为 {shape} 的 weight 需要 {expected} 个（转置卷积的 C_in = weight.shape[0]）</translation>
    </message>
    <message>
        <source>output_padding ({output_padding}) must be smaller than either stride ({stride}) or dilation ({dilation})</source>
        <translation>output_padding（{output_padding}）必须小于 stride（{stride}）或 dilation（{dilation}）二者之一</translation>
    </message>
    <message>
        <source>the output would be {out}, and it must be at least 1x1: padding ({padding}) crops too much of the {size} input ({axis}: {formula})</source>
        <translation>输出将是 {out}，而输出至少要有 1x1：padding（{padding}）从 {size} 的输入中裁掉得太多（{axis}：{formula}）</translation>
    </message>
    <message>
        <source>norm_type must be a real number (the power p), got {value}</source>
        <translation>norm_type 必须是实数（幂 p），实际为 {value}</translation>
    </message>
    <message>
        <source>norm_type ({value}) must not be zero: the result is the (1 / norm_type)-th root</source>
        <translation>norm_type（{value}）不能为零：结果要开 (1 / norm_type) 次方根</translation>
    </message>
    <message>
        <source>norm_type ({value}) is too large for a floating-point power</source>
        <translation>norm_type（{value}）太大，无法用浮点数计算这个幂</translation>
    </message>
    <message>
        <source>kernel_size ({value}) must be a single int or a pair of ints (height, width); lp_pool2d takes no other length</source>
        <translation>kernel_size（{value}）必须是一个整数或一对整数（高, 宽）；lp_pool2d 不接受其他长度</translation>
    </message>
    <message>
        <source>output_size must be (height, width) or (N, C, height, width) as ints, got {value}</source>
        <translation>output_size 必须是由整数组成的（高, 宽）或（N, C, 高, 宽），实际为 {value}</translation>
    </message>
    <message>
        <source>output_size ({output_size}) must not be negative</source>
        <translation>output_size（{output_size}）不能为负数</translation>
    </message>
    <message>
        <source>indices shape {shape} must equal x&apos;s shape {x_shape} (one index per input element, as max_pool2d(..., return_indices=True) returns them)</source>
        <translation>indices 的形状 {shape} 必须等于 x 的形状 {x_shape}（每个输入元素一个索引，正如 max_pool2d(..., return_indices=True) 返回的那样）</translation>
    </message>
    <message>
        <source>indices cannot point into an empty {size} output plane; got values from {low} to {high}</source>
        <translation>indices 不能指向空的 {size} 输出平面；实际取值从 {low} 到 {high}</translation>
    </message>
    <message>
        <source>indices must lie in 0..{last} (flat row * W + col positions in one {size} plane); got values from {low} to {high}: pass the size of the pooled input as output_size</source>
        <translation>indices 必须在 0..{last} 之内（即一个 {size} 平面中按 row * W + col 展平的位置），实际取值从 {low} 到 {high}：请把池化前输入的大小作为 output_size 传入</translation>
    </message>
    <message>
        <source>the output size ({out}) must not be negative: padding ({padding}) is too large for kernel_size ({kernel}) and stride ({stride}) ({axis}: {formula})</source>
        <translation>输出大小（{out}）不能为负数：对 kernel_size（{kernel}）和 stride（{stride}）来说，padding（{padding}）太大（{axis}：{formula}）</translation>
    </message>
    <message>
        <source>output_size ({output_size}) is out of range: its {axis} must be strictly between {low} and {high} (the default {default} ± stride {stride})</source>
        <translation>output_size（{output_size}）超出范围：它的{axis}必须严格介于 {low} 和 {high} 之间（默认值 {default} ± 步长 {stride}）</translation>
    </message>
    <message>
        <source>layer {layer} ({op}): {reason}</source>
        <translation>第 {layer} 层（{op}）：{reason}</translation>
    </message>
    <message>
        <source>layers must be a list of layers (dicts with an &quot;op&quot;), got {value}</source>
        <translation>层列表 layers 必须是由层（带 &quot;op&quot; 的 dict）组成的列表，实际为 {value}</translation>
    </message>
    <message>
        <source>a layer must be a dict with an &quot;op&quot;, got {value}</source>
        <translation>每一层都必须是带 &quot;op&quot; 的 dict，实际为 {value}</translation>
    </message>
    <message>
        <source>its call takes {tensors}, not the previous layer&apos;s output, so it cannot be a layer of a stack</source>
        <translation>它的调用需要 {tensors}，而不是上一层的输出，因此不能作为堆叠中的一层</translation>
    </message>
    <message>
        <source>unknown parameter {name}; it takes {names}</source>
        <translation>未知参数 {name}；它接受的参数是 {names}</translation>
    </message>
    <message>
        <source>the layer needs a {name} array</source>
        <translation>这一层需要一个 {name} 数组</translation>
    </message>
    <message>
        <source>the layer needs {name}</source>
        <translation>这一层需要 {name}</translation>
    </message>
    <message>
        <source>{name} ({value}) must be in -{count}..{last}</source>
        <translation>{name}（{value}）必须在 -{count}..{last} 之内</translation>
    </message>
    <message>
        <source>cell ({position}) is outside level {level} of size {size}</source>
        <translation>单元格（{position}）在第 {level} 级（大小为 {size}）之外</translation>
    </message>
    <message>
        <source>each of its input cells is spread over several outputs, so it has no kernel and stride in the input&apos;s units; the recursion does not apply (receptive_field with an input size does)</source>
        <translation>它的每个输入单元格都分散到多个输出上，因此在输入的单位下没有卷积核和步长；递推公式不适用（给出输入大小的 receptive_field 适用）</translation>
    </message>
    <message>
        <source>its windows follow the input size, so it has no fixed kernel and stride; the recursion does not apply (receptive_field with an input size does)</source>
        <translation>它的窗口随输入大小而定，因此没有固定的卷积核和步长；递推公式不适用（给出输入大小的 receptive_field 适用）</translation>
    </message>
    <message>
        <source>input shape {shape} must be a tuple of sizes of at least 1</source>
        <translation>输入形状 {shape} 必须是由至少为 1 的大小组成的元组</translation>
    </message>
    <message>
        <source>this computation would need about {size} of memory, more than the work budget of {limit}: {what} alone takes {part} ({formula})</source>
        <translation>这次计算大约需要 {size} 内存，超过了工作预算 {limit}：仅{what}就占 {part}（{formula}）</translation>
    </message>
    <message>
        <source>this computation would read {taps} window taps ({formula}), more than the work budget of {limit}: use a smaller input, batch or channels, a smaller kernel or a larger stride</source>
        <translation>这次计算要读取 {taps} 个窗口位置（{formula}），超过了工作预算 {limit}：请使用更小的输入、批大小或通道数，更小的核或更大的步幅</translation>
    </message>
    <message>
        <source>the input and its gradient</source>
        <translation>输入及其梯度</translation>
    </message>
    <message>
        <source>the padded input</source>
        <translation>填充后的输入</translation>
    </message>
    <message>
        <source>the output and dY</source>
        <translation>输出和 dY</translation>
    </message>
    <message>
        <source>the max-pooling mask and ties</source>
        <translation>最大池化的掩码和并列处理</translation>
    </message>
    <message>
        <source>the weight and its gradient</source>
        <translation>权重及其梯度</translation>
    </message>
    <message>
        <source>the window taps</source>
        <translation>窗口位置</translation>
    </message>
    <message>
        <source>{name} ({value}) must be an int</source>
        <translation>{name}（{value}）必须是整数</translation>
    </message>
    <message>
        <source>{name} ({value}) must be true or false</source>
        <translation>{name}（{value}）必须是 true 或 false</translation>
    </message>
    <message>
        <source>{name} ({value}) must be one of {choices}</source>
        <translation>{name}（{value}）必须是 {choices} 之一</translation>
    </message>
    <message>
        <source>{name} ({value}) must be a finite number</source>
        <translation>{name}（{value}）必须是有限的数</translation>
    </message>
    <message>
        <source>{name} ({value}) must be between {minimum} and {maximum}</source>
        <translation>{name}（{value}）必须在 {minimum} 到 {maximum} 之间</translation>
    </message>
    <message>
        <source>{name} ({value}) must be an int or a pair of ints (height, width)</source>
        <translation>{name}（{value}）必须是一个整数或一对整数（高, 宽）</translation>
    </message>
    <message>
        <source>{name} must be one (H, W) plane; got shape {shape}</source>
        <translation>{name} 必须是一个 (H, W) 平面；实际形状为 {shape}</translation>
    </message>
    <message>
        <source>mode ({mode}) must be &apos;max&apos; or &apos;avg&apos;</source>
        <translation>mode（{mode}）必须是 &apos;max&apos; 或 &apos;avg&apos;</translation>
    </message>
    <message>
        <source>x must be (C, H, W) and weight (C, kH, kW) with the same C; got {x} and {weight}</source>
        <translation>x 必须是 (C, H, W)，weight 必须是 (C, kH, kW)，且 C 相同；实际为 {x} 和 {weight}</translation>
    </message>
    <message>
        <source>this pitfall needs {name}, which the case does not have</source>
        <translation>这个常见错误需要 {name}，但当前数据中没有</translation>
    </message>
    <message>
        <source>pitfall ({key}) must be one of {keys}</source>
        <translation>常见错误（{key}）必须是 {keys} 之一</translation>
    </message>
    <message>
        <source>pitfall {key} applies to {ops}, not to {op}</source>
        <translation>常见错误 {key} 适用于 {ops}，不适用于 {op}</translation>
    </message>
    <message>
        <source>height</source>
        <translation>高</translation>
    </message>
    <message>
        <source>width</source>
        <translation>宽</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Keyboard&lt;/h3&gt;
&lt;table cellpadding=3&gt;
&lt;tr&gt;&lt;td&gt;&lt;b&gt;Space&lt;/b&gt;&lt;/td&gt;&lt;td&gt;play / pause&lt;/td&gt;&lt;/tr&gt;
&lt;tr&gt;&lt;td&gt;&lt;b&gt;Right&lt;/b&gt; / &lt;b&gt;Left&lt;/b&gt;&lt;/td&gt;&lt;td&gt;next / previous step&lt;/td&gt;&lt;/tr&gt;
&lt;tr&gt;&lt;td&gt;&lt;b&gt;Home&lt;/b&gt; / &lt;b&gt;End&lt;/b&gt;&lt;/td&gt;&lt;td&gt;first / last step&lt;/td&gt;&lt;/tr&gt;
&lt;tr&gt;&lt;td&gt;&lt;b&gt;F&lt;/b&gt; / &lt;b&gt;B&lt;/b&gt;&lt;/td&gt;&lt;td&gt;forward / backward phase&lt;/td&gt;&lt;/tr&gt;
&lt;tr&gt;&lt;td&gt;&lt;b&gt;1&lt;/b&gt;, &lt;b&gt;2&lt;/b&gt;, &lt;b&gt;3&lt;/b&gt;&lt;/td&gt;&lt;td&gt;max pooling, average pooling, convolution&lt;/td&gt;&lt;/tr&gt;
&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+R&lt;/b&gt;&lt;/td&gt;&lt;td&gt;randomize the input&lt;/td&gt;&lt;/tr&gt;
&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl +&lt;/b&gt; / &lt;b&gt;Ctrl −&lt;/b&gt; / &lt;b&gt;Ctrl 0&lt;/b&gt;&lt;/td&gt;&lt;td&gt;zoom cells in / out / reset&lt;/td&gt;&lt;/tr&gt;
&lt;tr&gt;&lt;td&gt;In a matrix&lt;/td&gt;&lt;td&gt;type a number; arrows, Tab and Enter move like a spreadsheet&lt;/td&gt;&lt;/tr&gt;
&lt;/table&gt;
&lt;p&gt;Hover an output cell to see its window; hover an input cell to see every output it feeds.
Click an output cell to jump to its step.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;键盘&lt;/h3&gt;
&lt;table cellpadding=3&gt;
&lt;tr&gt;&lt;td&gt;&lt;b&gt;Space&lt;/b&gt;&lt;/td&gt;&lt;td&gt;播放 / 暂停&lt;/td&gt;&lt;/tr&gt;
&lt;tr&gt;&lt;td&gt;&lt;b&gt;Right&lt;/b&gt; / &lt;b&gt;Left&lt;/b&gt;&lt;/td&gt;&lt;td&gt;下一步 / 上一步&lt;/td&gt;&lt;/tr&gt;
&lt;tr&gt;&lt;td&gt;&lt;b&gt;Home&lt;/b&gt; / &lt;b&gt;End&lt;/b&gt;&lt;/td&gt;&lt;td&gt;第一步 / 最后一步&lt;/td&gt;&lt;/tr&gt;
&lt;tr&gt;&lt;td&gt;&lt;b&gt;F&lt;/b&gt; / &lt;b&gt;B&lt;/b&gt;&lt;/td&gt;&lt;td&gt;前向 / 反向阶段&lt;/td&gt;&lt;/tr&gt;
&lt;tr&gt;&lt;td&gt;&lt;b&gt;1&lt;/b&gt;, &lt;b&gt;2&lt;/b&gt;, &lt;b&gt;3&lt;/b&gt;&lt;/td&gt;&lt;td&gt;最大池化、平均池化、卷积&lt;/td&gt;&lt;/tr&gt;
&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl+R&lt;/b&gt;&lt;/td&gt;&lt;td&gt;随机化输入&lt;/td&gt;&lt;/tr&gt;
&lt;tr&gt;&lt;td&gt;&lt;b&gt;Ctrl +&lt;/b&gt; / &lt;b&gt;Ctrl −&lt;/b&gt; / &lt;b&gt;Ctrl 0&lt;/b&gt;&lt;/td&gt;&lt;td&gt;放大 / 缩小 / 重置单元格&lt;/td&gt;&lt;/tr&gt;
&lt;tr&gt;&lt;td&gt;在矩阵中&lt;/td&gt;&lt;td&gt;直接输入数字；方向键、Tab 和 Enter 像电子表格一样移动&lt;/td&gt;&lt;/tr&gt;
&lt;/table&gt;
&lt;p&gt;鼠标悬停在输出单元格上可查看它的窗口；悬停在输入单元格上可查看它参与的所有输出。
点击输出单元格可跳到对应的步骤。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Pooling Visualizer</source>
        <translation>池化可视化工具</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Data</source>
        <translation>数据(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Operation</source>
        <translation>运算(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Step</source>
        <translation>步进(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Load image…</source>
        <translation>载入图像…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Randomize input…</source>
        <translation>随机化输入…</translation>
    </message>
    <message>
        <source>Play / pause</source>
        <translation>播放 / 暂停</translation>
    </message>
    <message>
        <source>Next step</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>Previous step</source>
        <translation>上一步</translation>
    </message>
    <message>
        <source>First step</source>
        <translation>第一步</translation>
    </message>
    <message>
        <source>Last step</source>
        <translation>最后一步</translation>
    </message>
    <message>
        <source>Forward phase</source>
        <translation>前向阶段</translation>
    </message>
    <message>
        <source>Backward phase</source>
        <translation>反向阶段</translation>
    </message>
    <message>
        <source>Next output channel</source>
        <translation>下一个输出通道</translation>
    </message>
    <message>
        <source>Previous output channel</source>
        <translation>上一个输出通道</translation>
    </message>
    <message>
        <source>Next input channels</source>
        <translation>下一组输入通道</translation>
    </message>
    <message>
        <source>Previous input channels</source>
        <translation>上一组输入通道</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>Reset zoom</source>
        <translation>重置缩放</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Controls panel</source>
        <translation>控制面板</translation>
    </message>
    <message>
        <source>Show or hide the controls panel (it folds away by itself on a small screen)</source>
        <translation>显示或隐藏控制面板（小屏幕上会自动收起）</translation>
    </message>
    <message>
        <source>Undo {edit}</source>
        <translation>撤销 {edit}</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo {edit}</source>
        <translation>重做 {edit}</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Pooling Visualizer — help</source>
        <translation>池化可视化工具 — 帮助</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Standard colours</source>
        <translation>标准配色</translation>
    </message>
    <message>
        <source>Colour-blind safe colours</source>
        <translation>色盲友好配色</translation>
    </message>
    <message>
        <source>Full screen</source>
        <translation>全屏</translation>
    </message>
    <message>
        <source>Full screen for the lecture hall</source>
        <translation>全屏，适合在教室投影</translation>
    </message>
    <message>
        <source>Presentation mode</source>
        <translation>演示模式</translation>
    </message>
    <message>
        <source>Presentation mode: large step counter and arithmetic line</source>
        <translation>演示模式：放大步数计数和算式</translation>
    </message>
    <message>
        <source>Leave presentation mode</source>
        <translation>退出演示模式</translation>
    </message>
    <message>
        <source>Blank the screen</source>
        <translation>黑屏</translation>
    </message>
    <message>
        <source>Blank the screen in presentation mode; press . again to bring it back</source>
        <translation>在演示模式下让屏幕变黑；再按一次 . 恢复显示</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Dark theme</source>
        <translation>深色主题</translation>
    </message>
    <message>
        <source>Switch between dark and light theme</source>
        <translation>在深色和浅色主题之间切换</translation>
    </message>
    <message>
        <source>Colours</source>
        <translation>配色</translation>
    </message>
    <message>
        <source>Colour-blind-safe colour maps (cividis, blue–orange) and highlight colours</source>
        <translation>对色盲友好的色图（cividis、蓝–橙）和高亮颜色</translation>
    </message>
    <message>
        <source>{file}: cannot be read ({reason})</source>
        <translation>{file}：无法读取（{reason}）</translation>
    </message>
    <message>
        <source>{file}: not valid JSON — {reason} at line {line}, column {column} (is the file complete?)</source>
        <translation>{file}：不是有效的 JSON — 第 {line} 行第 {column} 列：{reason}（文件是否完整？）</translation>
    </message>
    <message>
        <source>{file}: {reason}</source>
        <translation>{file}：{reason}</translation>
    </message>
    <message>
        <source>the file must hold a JSON object, not {type}</source>
        <translation>文件内容必须是 JSON 对象，而不是 {type}</translation>
    </message>
    <message>
        <source>is not a preset (&quot;format&quot; must be &quot;{format}&quot;)</source>
        <translation>不是预设文件（&quot;format&quot; 必须是 &quot;{format}&quot;）</translation>
    </message>
    <message>
        <source>version {version} is not supported (this app reads version {supported})</source>
        <translation>不支持版本 {version}（本程序读取版本 {supported}）</translation>
    </message>
    <message>
        <source>unknown field(s) {fields}; allowed: {allowed}</source>
        <translation>未知字段 {fields}；允许的字段：{allowed}</translation>
    </message>
    <message>
        <source>&quot;{field}&quot; is missing</source>
        <translation>缺少 &quot;{field}&quot;</translation>
    </message>
    <message>
        <source>&quot;op&quot; ({op}) must be one of {ops}</source>
        <translation>&quot;op&quot;（{op}）必须是 {ops} 之一</translation>
    </message>
    <message>
        <source>a 2-D &quot;kernel&quot; needs a one-channel input; the input has {channels} channels (give the kernel as (C_out, C_in, kH, kW))</source>
        <translation>二维的 &quot;kernel&quot; 需要单通道输入，而输入有 {channels} 个通道（请以 (C_out, C_in, kH, kW) 的形式给出卷积核）</translation>
    </message>
    <message>
        <source>&quot;kernel&quot; of shape {shape} has C_in = {kernel_channels}, but the input has {channels} channels</source>
        <translation>形状为 {shape} 的 &quot;kernel&quot; 的 C_in = {kernel_channels}，但输入有 {channels} 个通道</translation>
    </message>
    <message>
        <source>&quot;kernel&quot; is required for op &quot;{op}&quot;</source>
        <translation>运算 &quot;{op}&quot; 需要 &quot;kernel&quot;</translation>
    </message>
    <message>
        <source>&quot;grad_output&quot; has shape {shape}, but the output has shape {expected}</source>
        <translation>&quot;grad_output&quot; 的形状是 {shape}，但输出的形状是 {expected}</translation>
    </message>
    <message>
        <source>&quot;step&quot; ({step}) must be an integer in 0..{last}</source>
        <translation>&quot;step&quot;（{step}）必须是 0..{last} 之内的整数</translation>
    </message>
    <message>
        <source>&quot;{field}&quot; must be a non-empty string</source>
        <translation>&quot;{field}&quot; 必须是非空字符串</translation>
    </message>
    <message>
        <source>&quot;{field}&quot; has an empty list</source>
        <translation>&quot;{field}&quot; 中有空列表</translation>
    </message>
    <message>
        <source>&quot;{field}&quot; must hold only numbers; found {value}</source>
        <translation>&quot;{field}&quot; 中只能有数字；发现了 {value}</translation>
    </message>
    <message>
        <source>&quot;{field}&quot; must be a nested list of numbers</source>
        <translation>&quot;{field}&quot; 必须是由数字组成的嵌套列表</translation>
    </message>
    <message>
        <source>&quot;{field}&quot; must be rectangular: every row needs the same length</source>
        <translation>&quot;{field}&quot; 必须是矩形的：每一行的长度都要相同</translation>
    </message>
    <message>
        <source> or </source>
        <translation> 或 </translation>
    </message>
    <message>
        <source>&quot;{field}&quot; must have shape {shapes}; got {rank}-D {shape}</source>
        <translation>&quot;{field}&quot; 的形状必须是 {shapes}；实际是 {rank} 维的 {shape}</translation>
    </message>
    <message>
        <source>params &quot;{field}&quot; ({value}) must be an integer or a pair [h, w]</source>
        <translation>params 中的 &quot;{field}&quot;（{value}）必须是一个整数或一对整数 [h, w]</translation>
    </message>
    <message>
        <source>&quot;params&quot; must be a JSON object</source>
        <translation>&quot;params&quot; 必须是 JSON 对象</translation>
    </message>
    <message>
        <source>unknown params {fields}; allowed: {allowed}</source>
        <translation>未知参数 {fields}；允许的参数：{allowed}</translation>
    </message>
    <message>
        <source>params &quot;{field}&quot; must be true or false, not {value}</source>
        <translation>params 中的 &quot;{field}&quot; 必须是 true 或 false，而不是 {value}</translation>
    </message>
    <message>
        <source>&quot;bias&quot; and params &quot;bias&quot; disagree; give it once</source>
        <translation>&quot;bias&quot; 与 params 中的 &quot;bias&quot; 不一致；只给出一次即可</translation>
    </message>
    <message>
        <source>params &quot;kernel_size&quot; {size} does not match the kernel&apos;s shape {shape}</source>
        <translation>params 中的 &quot;kernel_size&quot; {size} 与卷积核的形状 {shape} 不一致</translation>
    </message>
    <message>
        <source>{field} must be a number or null (the app uses one bias for every output channel)</source>
        <translation>{field} 必须是数字或 null（本程序对每个输出通道使用同一个偏置）</translation>
    </message>
    <message>
        <source>invalid params for this input: {reason}</source>
        <translation>参数对这个输入无效：{reason}</translation>
    </message>
    <message>
        <source>Load preset: {title}</source>
        <translation>载入预设：{title}</translation>
    </message>
    <message>
        <source>Pooling Visualizer session (*.json);;All files (*)</source>
        <translation>池化可视化工具会话 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>stack</source>
        <translation>层堆叠</translation>
    </message>
    <message>
        <source>this is not a Pooling Visualizer stack (no &quot;format&quot;: &quot;pooling-visualizer-stack&quot;)</source>
        <translation>这不是 Pooling Visualizer 的层堆叠文件（没有 &quot;format&quot;: &quot;pooling-visualizer-stack&quot;）</translation>
    </message>
    <message>
        <source>the file is stack version {version}, written by a newer Pooling Visualizer; this version reads version {supported}</source>
        <translation>该文件是层堆叠第 {version} 版，由更新的 Pooling Visualizer 写入；本版本只能读取第 {supported} 版</translation>
    </message>
    <message>
        <source>{field} must be {kind}</source>
        <translation>{field} 必须是{kind}</translation>
    </message>
    <message>
        <source>unknown fields {fields}; allowed: {allowed}</source>
        <translation>未知字段 {fields}；允许的字段：{allowed}</translation>
    </message>
    <message>
        <source>a stack has at most {limit} layers, this one has {count}</source>
        <translation>层堆叠最多 {limit} 层，此文件有 {count} 层</translation>
    </message>
    <message>
        <source>&quot;op&quot; ({value}) must be one of {choices}</source>
        <translation>&quot;op&quot;（{value}）必须是以下之一：{choices}</translation>
    </message>
    <message>
        <source>{op} cannot be a layer: its call does not start from an input</source>
        <translation>{op} 不能作为一层：它的调用不是从输入开始的</translation>
    </message>
    <message>
        <source>{field} must be a rectangular list of numbers with {ranks} dimensions</source>
        <translation>{field} 必须是 {ranks} 维的矩形数字列表</translation>
    </message>
    <message>
        <source>{field} ({shape}) must be between 1 and {limit} per side</source>
        <translation>{field}（{shape}）每边必须在 1 到 {limit} 之间</translation>
    </message>
    <message>
        <source>bias must be one number or one number per output channel ({channels})</source>
        <translation>bias 必须是一个数，或每个输出通道一个数（{channels} 个）</translation>
    </message>
    <message>
        <source>kernel_size ({value}) must be between 1 and {limit}</source>
        <translation>kernel_size（{value}）必须在 1 到 {limit} 之间</translation>
    </message>
    <message>
        <source>an object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>a list of layers</source>
        <translation>层的列表</translation>
    </message>
    <message>
        <source>layer {layer} ({op}): {input} → {output}; {formula}</source>
        <translation>第 {layer} 层（{op}）：{input} → {output}；{formula}</translation>
    </message>
    <message>
        <source>layer {layer} ({op}) backward: dY {output} → dX {input}; dX sums to {total}, largest |dX| = {largest}</source>
        <translation>第 {layer} 层（{op}）反向：dY {output} → dX {input}；dX 之和为 {total}，最大 |dX| = {largest}</translation>
    </message>
    <message>
        <source>the input {input}; no layers yet</source>
        <translation>输入 {input}；还没有层</translation>
    </message>
    <message>
        <source>layer {layer} ({op}): {cell} = {text}</source>
        <translation>第 {layer} 层（{op}）：{cell} = {text}</translation>
    </message>
    <message>
        <source>layer {layer} ({op}): {text}</source>
        <translation>第 {layer} 层（{op}）：{text}</translation>
    </message>
    <message>
        <source>layer {layer} ({op}) backward: {text}</source>
        <translation>第 {layer} 层（{op}）反向：{text}</translation>
    </message>
    <message>
        <source>{position}: each window cell&apos;s dX gets {dy}·its weight</source>
        <translation>{position}：窗口中每个单元格的 dX 加上 {dy}·它的权重</translation>
    </message>
    <message>
        <source>dX[{row}, {col}] = Σ dY·W over its patch = {terms} = {total}</source>
        <translation>dX[{row}, {col}] = 在它的区块上求和 Σ dY·W = {terms} = {total}</translation>
    </message>
    <message>
        <source>dY = ones</source>
        <translation>dY = 全 1</translation>
    </message>
    <message>
        <source>dY = 1 at output [{row}, {col}], 0 elsewhere</source>
        <translation>dY 在输出 [{row}, {col}] 处为 1，其余为 0</translation>
    </message>
    <message>
        <source>a list</source>
        <translation>列表</translation>
    </message>
    <message>
        <source>a string</source>
        <translation>字符串</translation>
    </message>
    <message>
        <source>true/false</source>
        <translation>true/false</translation>
    </message>
    <message>
        <source>an integer</source>
        <translation>整数</translation>
    </message>
    <message>
        <source>a number</source>
        <translation>数字</translation>
    </message>
    <message>
        <source>null</source>
        <translation>null</translation>
    </message>
    <message>
        <source>{field} must be an integer, not {type}</source>
        <translation>{field} 必须是整数，而不是{type}</translation>
    </message>
    <message>
        <source>{field} ({value}) must be between {low} and {high}</source>
        <translation>{field}（{value}）必须在 {low} 到 {high} 之间</translation>
    </message>
    <message>
        <source>{field} must be true or false, not {type}</source>
        <translation>{field} 必须是 true 或 false，而不是{type}</translation>
    </message>
    <message>
        <source>params &quot;{field}&quot; ({value}) must be one of {choices}</source>
        <translation>params 中的 &quot;{field}&quot;（{value}）必须是 {choices} 之一</translation>
    </message>
    <message>
        <source>params &quot;{field}&quot; must be an integer or null</source>
        <translation>params 中的 &quot;{field}&quot; 必须是整数或 null</translation>
    </message>
    <message>
        <source>{field} must be a number or null, not {type}</source>
        <translation>{field} 必须是数字或 null，而不是{type}</translation>
    </message>
    <message>
        <source>{field} must be a number, not {type}</source>
        <translation>{field} 必须是数字，而不是{type}</translation>
    </message>
    <message>
        <source>{field} is an integer with {digits} digits, too large for a number</source>
        <translation>{field} 是一个 {digits} 位的整数，太大，无法作为数值</translation>
    </message>
    <message>
        <source>{field} must be a finite number</source>
        <translation>{field} 必须是有限的数</translation>
    </message>
    <message>
        <source>{field} must be a list of settings, not {type}</source>
        <translation>{field} 必须是设置的列表，而不是 {type}</translation>
    </message>
    <message>
        <source>needs at least two settings separated by &apos;|&apos;, e.g. padding=0|padding=1</source>
        <translation>至少需要两种用“|”分隔的设置，例如 padding=0|padding=1</translation>
    </message>
    <message>
        <source>setting {index} ({text}) must be name=value pairs, e.g. padding=1</source>
        <translation>设置 {index}（{text}）必须是 名称=值 对，例如 padding=1</translation>
    </message>
    <message>
        <source>setting {index} is empty</source>
        <translation>设置 {index} 为空</translation>
    </message>
    <message>
        <source>setting</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>{value} is not a number</source>
        <translation>{value} 不是数字</translation>
    </message>
    <message>
        <source>{field} must be a 4-D nested list (batch, channels, rows, columns); level {level} is {type}</source>
        <translation>{field} 必须是四层嵌套列表（批次、通道、行、列）；第 {level} 层是{type}</translation>
    </message>
    <message>
        <source>{field} has an empty list at level {level}</source>
        <translation>{field} 在第 {level} 层有空列表</translation>
    </message>
    <message>
        <source>{field} has {size} batch items; at most {limit} are allowed</source>
        <translation>{field} 有 {size} 个批次样本；最多允许 {limit} 个</translation>
    </message>
    <message>
        <source>{field} has {size} channels; at most {limit} are allowed</source>
        <translation>{field} 有 {size} 个通道；最多允许 {limit} 个</translation>
    </message>
    <message>
        <source>{field} has {size} rows; at most {limit} are allowed</source>
        <translation>{field} 有 {size} 行；最多允许 {limit} 行</translation>
    </message>
    <message>
        <source>{field} has {size} columns; at most {limit} are allowed</source>
        <translation>{field} 有 {size} 列；最多允许 {limit} 列</translation>
    </message>
    <message>
        <source>{field} has {size} values; at most {limit} are allowed</source>
        <translation>{field} 有 {size} 个值；最多允许 {limit} 个</translation>
    </message>
    <message>
        <source>{field} must be a list of {count} channels (ragged nesting)</source>
        <translation>{field} 必须是包含 {count} 个通道的列表（嵌套长度不一致）</translation>
    </message>
    <message>
        <source>{field} must be a list of {count} rows (ragged nesting)</source>
        <translation>{field} 必须是包含 {count} 行的列表（嵌套长度不一致）</translation>
    </message>
    <message>
        <source>{field} must be a row of {count} numbers, found {found} (ragged nesting)</source>
        <translation>{field} 必须是包含 {count} 个数字的一行，实际为 {found}（嵌套长度不一致）</translation>
    </message>
    <message>
        <source>{field} must be a list of two integers</source>
        <translation>{field} 必须是包含两个整数的列表</translation>
    </message>
    <message>
        <source>{field} must be an object, not {type}</source>
        <translation>{field} 必须是对象，而不是{type}</translation>
    </message>
    <message>
        <source>params has unknown fields: {fields}</source>
        <translation>params 中有未知字段：{fields}</translation>
    </message>
    <message>
        <source>{field} ({value}) must be one of {choices}</source>
        <translation>{field}（{value}）必须是 {choices} 之一</translation>
    </message>
    <message>
        <source>the file holds {type}, not a session object</source>
        <translation>文件中是{type}，而不是会话对象</translation>
    </message>
    <message>
        <source>this is not a Pooling Visualizer session (no matching &apos;format&apos; field)</source>
        <translation>这不是池化可视化工具的会话文件（&apos;format&apos; 字段不匹配）</translation>
    </message>
    <message>
        <source>the file is session version {version}, written by a newer Pooling Visualizer; this version reads version {supported}</source>
        <translation>该文件是第 {version} 版会话，由更新版本的池化可视化工具写入；当前版本只能读取第 {supported} 版</translation>
    </message>
    <message>
        <source>version ({version}) must be at least 1</source>
        <translation>版本（{version}）至少为 1</translation>
    </message>
    <message>
        <source>the field {field} is missing</source>
        <translation>缺少字段 {field}</translation>
    </message>
    <message>
        <source>plane must be a list of two integers [n, c]</source>
        <translation>plane 必须是包含两个整数的列表 [n, c]</translation>
    </message>
    <message>
        <source>plane[0] (batch index)</source>
        <translation>plane[0]（批次索引）</translation>
    </message>
    <message>
        <source>plane[1] (channel index)</source>
        <translation>plane[1]（通道索引）</translation>
    </message>
    <message>
        <source>the JSON is nested too deeply to be a session file</source>
        <translation>JSON 嵌套层数太深，不可能是会话文件</translation>
    </message>
    <message>
        <source>not a valid JSON file ({reason})</source>
        <translation>不是有效的 JSON 文件（{reason}）</translation>
    </message>
    <message>
        <source>an integer with {digits} digits is too large for a number</source>
        <translation>一个 {digits} 位的整数太大，无法作为数值</translation>
    </message>
    <message>
        <source>it holds {lists} lists and {items} items: reading it would take about {memory} of memory ({limit} at most)</source>
        <translation>它包含 {lists} 个列表和 {items} 个条目：读取它大约需要 {memory} 内存（最多 {limit}）</translation>
    </message>
    <message>
        <source>not enough memory to read this file</source>
        <translation>内存不足，无法读取此文件</translation>
    </message>
    <message>
        <source>a value could not be read ({reason})</source>
        <translation>有一个值无法读取（{reason}）</translation>
    </message>
    <message>
        <source>Load session</source>
        <translation>载入会话</translation>
    </message>
    <message>
        <source>its settings were refused: {reason}</source>
        <translation>其中的设置被拒绝：{reason}</translation>
    </message>
    <message>
        <source>Open session…</source>
        <translation>打开会话…</translation>
    </message>
    <message>
        <source>Save session</source>
        <translation>保存会话</translation>
    </message>
    <message>
        <source>Save session as…</source>
        <translation>会话另存为…</translation>
    </message>
    <message>
        <source>Restore previous session</source>
        <translation>恢复上次会话</translation>
    </message>
    <message>
        <source>Load the state the app was in when it last closed (or crashed)</source>
        <translation>载入程序上次关闭（或崩溃）时的状态</translation>
    </message>
    <message>
        <source>Recent sessions</source>
        <translation>最近的会话</translation>
    </message>
    <message>
        <source>Pooling Visualizer — {file}</source>
        <translation>池化可视化工具 — {file}</translation>
    </message>
    <message>
        <source>Restore session</source>
        <translation>恢复会话</translation>
    </message>
    <message>
        <source>  Another window of this app did not close normally. Restore its work?  </source>
        <translation>  本程序的另一个窗口没有正常关闭。要恢复它的工作吗？  </translation>
    </message>
    <message>
        <source>  The last session did not close normally. Restore where you left off?  </source>
        <translation>  上次会话没有正常关闭。要恢复到上次离开时的状态吗？  </translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Load the autosaved state of the last session (can be undone)</source>
        <translation>载入上次会话自动保存的状态（可以撤销）</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>放弃</translation>
    </message>
    <message>
        <source>Keep the fresh start (File ▸ Restore previous session still works)</source>
        <translation>保持全新开始（之后仍可通过 文件 ▸ 恢复上次会话 恢复）</translation>
    </message>
    <message>
        <source>Autosave</source>
        <translation>自动保存</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Open session</source>
        <translation>打开会话</translation>
    </message>
    <message>
        <source>Save session as</source>
        <translation>会话另存为</translation>
    </message>
    <message>
        <source>Cannot open the session</source>
        <translation>无法打开会话</translation>
    </message>
    <message>
        <source>Opened {file}</source>
        <translation>已打开 {file}</translation>
    </message>
    <message>
        <source>Cannot save the session</source>
        <translation>无法保存会话</translation>
    </message>
    <message>
        <source>Saved {file}</source>
        <translation>已保存 {file}</translation>
    </message>
    <message>
        <source>Clear list</source>
        <translation>清空列表</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Autosave failed: {reason}</source>
        <translation>自动保存失败：{reason}</translation>
    </message>
    <message>
        <source>The autosave {file} could not be read ({reason}) nor moved aside ({error}).</source>
        <translation>自动保存文件 {file} 无法读取（{reason}），也无法移到一旁（{error}）。</translation>
    </message>
    <message>
        <source>The autosave could not be read ({reason}); it was kept as {file}.</source>
        <translation>自动保存文件无法读取（{reason}）；它已保留为 {file}。</translation>
    </message>
    <message>
        <source>  {notice} The app started fresh.  </source>
        <translation>  {notice}程序已重新开始。  </translation>
    </message>
    <message>
        <source>Cannot restore the previous session</source>
        <translation>无法恢复上次会话</translation>
    </message>
    <message>
        <source>Previous session restored (Ctrl+Z undoes)</source>
        <translation>已恢复上次会话（Ctrl+Z 可撤销）</translation>
    </message>
    <message>
        <source>Max pooling</source>
        <translation>最大池化</translation>
    </message>
    <message>
        <source>Average pooling</source>
        <translation>平均池化</translation>
    </message>
    <message>
        <source>{position}: each window cell&apos;s dX gets {dy}·its weight, each weight&apos;s dW gets {dy}·its input</source>
        <translation>{position}：窗口中每个单元格的 dX 加上 {dy}·它的权重，每个权重的 dW 加上 {dy}·它的输入</translation>
    </message>
    <message>
        <source>{position}: each window cell&apos;s dX gets {dy}·its weight, each weight&apos;s dW gets {dy}·its input, db gets {dy}</source>
        <translation>{position}：窗口中每个单元格的 dX 加上 {dy}·它的权重，每个权重的 dW 加上 {dy}·它的输入，db 加上 {dy}</translation>
    </message>
    <message>
        <source>Convolution (cross-correlation)</source>
        <translation>卷积（互相关）</translation>
    </message>
    <message>
        <source>operation ({op}) must be one of {ops}</source>
        <translation>运算（{op}）必须是 {ops} 之一</translation>
    </message>
    <message>
        <source>input size ({rows}x{cols}) must be between 1 and {limit} per side (load an image for larger inputs)</source>
        <translation>输入大小（{rows}x{cols}）的每一边都必须在 1 到 {limit} 之间（更大的输入请载入图像）</translation>
    </message>
    <message>
        <source>batch ({batch}) and channels ({channels}) must be at least 1</source>
        <translation>批次（{batch}）和通道数（{channels}）至少为 1</translation>
    </message>
    <message>
        <source>output channels ({channels}) must be at least 1</source>
        <translation>输出通道数（{channels}）至少为 1</translation>
    </message>
    <message>
        <source>dY fill ({mode}) must be &apos;ones&apos; or &apos;random&apos;</source>
        <translation>dY 的填充方式（{mode}）必须是 &apos;ones&apos; 或 &apos;random&apos;</translation>
    </message>
    <message>
        <source>Switch to {operation}</source>
        <translation>切换到{operation}</translation>
    </message>
    <message>
        <source>Change kernel size</source>
        <translation>修改卷积核大小</translation>
    </message>
    <message>
        <source>Change {names}</source>
        <translation>修改 {names}</translation>
    </message>
    <message>
        <source>Replace input</source>
        <translation>替换输入</translation>
    </message>
    <message>
        <source>Edit X[{row}, {col}]</source>
        <translation>编辑 X[{row}, {col}]</translation>
    </message>
    <message>
        <source>Resize input to {rows}×{cols}</source>
        <translation>将输入大小改为 {rows}×{cols}</translation>
    </message>
    <message>
        <source>Batch {batch}, channels {channels}</source>
        <translation>批次 {batch}，通道 {channels}</translation>
    </message>
    <message>
        <source>Fill input: {pattern}</source>
        <translation>填充输入：{pattern}</translation>
    </message>
    <message>
        <source>Randomize input (seed {seed})</source>
        <translation>随机化输入（种子 {seed}）</translation>
    </message>
    <message>
        <source>Edit W[{row}, {col}]</source>
        <translation>编辑 W[{row}, {col}]</translation>
    </message>
    <message>
        <source>Fill kernel: {pattern}</source>
        <translation>填充卷积核：{pattern}</translation>
    </message>
    <message>
        <source>Randomize kernel (seed {seed})</source>
        <translation>随机化卷积核（种子 {seed}）</translation>
    </message>
    <message>
        <source>{channels} output channels</source>
        <translation>{channels} 个输出通道</translation>
    </message>
    <message>
        <source>Edit dY[{row}, {col}]</source>
        <translation>编辑 dY[{row}, {col}]</translation>
    </message>
    <message>
        <source>Leave compare mode</source>
        <translation>退出对比模式</translation>
    </message>
    <message>
        <source>Compare settings</source>
        <translation>对比设置</translation>
    </message>
    <message>
        <source>dX gets one term per output channel here, o = 0 to {last}</source>
        <translation>dX 在此处每个输出通道各得一项，o = 0 到 {last}</translation>
    </message>
    <message>
        <source>{position}: the window read no input</source>
        <translation>{position}：这个窗口没有读到任何输入</translation>
    </message>
    <message>
        <source>{position} / {divisor} = {share} is added to each of the window&apos;s {count} input cells in dX</source>
        <translation>{position} / {divisor} = {share}，加到 dX 中该窗口的每个输入单元格上（共 {count} 个）</translation>
    </message>
    <message>
        <source>Each output is the sum of its window times the kernel, plus the bias.</source>
        <translation>每个输出是其窗口与卷积核逐元素相乘之和，再加上偏置。</translation>
    </message>
    <message>
        <source>Cannot tell: every element sits on a tie or a non-finite value, where the derivative is not defined.</source>
        <extracomment>Tap reads (outputs × taps per output) all the forwards of one check may cost, about 10 s of engine time; a check makes at least two forwards per differentiable tensor however large. Seconds PyTorch may take (its import alone takes seconds on a cold disk); then it is stopped.</extracomment>
        <translation>无法判断：每个元素都处在并列值或非有限值上，那里导数没有定义。</translation>
    </message>
    <message>
        <source>{count} element</source>
        <translation>{count} 个元素</translation>
    </message>
    <message>
        <source>{count} elements</source>
        <translation>{count} 个元素</translation>
    </message>
    <message>
        <source>Pass: the backward pass agrees with finite differences on {where} (largest difference {error}, tolerance {tolerance}).</source>
        <translation>通过：反向传播在 {where}上与有限差分一致（最大差异 {error}，容差 {tolerance}）。</translation>
    </message>
    <message>
        <source>Fail: the backward pass differs from finite differences by up to {error} on {where} (tolerance {tolerance}).</source>
        <translation>未通过：反向传播在 {where}上与有限差分相差最多 {error}（容差 {tolerance}）。</translation>
    </message>
    <message>
        <source>{count} element(s) are or feed NaN or ±∞, where finite differences are undefined: left out.</source>
        <translation>有 {count} 个元素本身是或会影响到 NaN 或 ±∞，那里有限差分没有定义：没有检验它们。</translation>
    </message>
    <message>
        <source>PyTorch is not installed in this Python environment (pip install torch); the comparison needs it.</source>
        <translation>当前 Python 环境中没有安装 PyTorch（pip install torch）；对比需要它。</translation>
    </message>
    <message>
        <source>ties=&apos;{ties}&apos; is a teaching option: PyTorch always sends a window&apos;s gradient to one maximum, so tied cells differ by design.</source>
        <translation>ties=&apos;{ties}&apos; 是一个教学选项：PyTorch 总是把一个窗口的梯度只传给一个最大值，所以并列的单元格会有差异，这是有意的。</translation>
    </message>
    <message>
        <source>Argmax indices</source>
        <translation>Argmax 索引</translation>
    </message>
    <message>
        <source>Weight gradient dW</source>
        <translation>权重梯度 dW</translation>
    </message>
    <message>
        <source>Bias gradient db</source>
        <translation>偏置梯度 db</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>The loop counters of the code below at the current step: n = batch item, c (co) = channel, (oh, ow) = output position</source>
        <translation>下方代码在当前步骤的循环变量：n = 批次样本，c (co) = 通道，(oh, ow) = 输出位置</translation>
    </message>
    <message>
        <source>Save arrays…</source>
        <translation>保存数组…</translation>
    </message>
    <message>
        <source>Write the .npy files the code loads (arrays too large to print) into a folder</source>
        <translation>把代码要载入的 .npy 文件（大到无法打印的数组）写入一个文件夹</translation>
    </message>
    <message>
        <source>Wrote {files} to {folder}</source>
        <translation>已将 {files} 写入 {folder}</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy this code to the clipboard</source>
        <translation>把这段代码复制到剪贴板</translation>
    </message>
    <message>
        <source>By hand</source>
        <translation>手写循环</translation>
    </message>
    <message>
        <source>The engine call that computes what the app shows</source>
        <translation>计算出程序所显示内容的引擎调用</translation>
    </message>
    <message>
        <source>The same computation in PyTorch (autograd for the backward)</source>
        <translation>用 PyTorch 做同样的计算（反向传播用 autograd）</translation>
    </message>
    <message>
        <source>engine/reference.py: the loops written out; the current step&apos;s line is marked</source>
        <translation>engine/reference.py：逐层写出的循环；当前步骤所在的行已高亮</translation>
    </message>
    <message>
        <source>Show code</source>
        <translation>显示代码</translation>
    </message>
    <message>
        <source>Show code (Ctrl+K): the NumPy, PyTorch and by-hand code of this state</source>
        <translation>显示代码（Ctrl+K）：当前状态对应的 NumPy、PyTorch 和手写循环代码</translation>
    </message>
    <message>
        <source>Show or hide the code that computes what you see</source>
        <translation>显示或隐藏计算出当前画面的代码</translation>
    </message>
    <message>
        <source>Copied ✓</source>
        <translation>已复制 ✓</translation>
    </message>
    <message>
        <source>Y[{row}, {col}] computed the other way; the loops below are the operation&apos;s own</source>
        <translation>Y[{row}, {col}] 用另一种方式计算；下面的循环是该运算本身的算法</translation>
    </message>
    <message>
        <source>forward step {index}/{total}:  {counters}</source>
        <translation>前向第 {index}/{total} 步：  {counters}</translation>
    </message>
    <message>
        <source>backward step {index}/{total}:  {counters}</source>
        <translation>反向第 {index}/{total} 步：  {counters}</translation>
    </message>
    <message>
        <source>Save the arrays the code loads</source>
        <translation>保存代码要载入的数组</translation>
    </message>
    <message>
        <source>Randomize</source>
        <translation>随机化</translation>
    </message>
    <message>
        <source>Integers in a range, uniform floats, or normal floats</source>
        <translation>范围内的整数、均匀分布小数或正态分布小数</translation>
    </message>
    <message>
        <source>Smallest value (normal: the mean)</source>
        <translation>最小值（正态分布时为均值）</translation>
    </message>
    <message>
        <source>Largest value (normal: the standard deviation)</source>
        <translation>最大值（正态分布时为标准差）</translation>
    </message>
    <message>
        <source>The same seed gives the same numbers: a demo can be repeated</source>
        <translation>相同的种子得到相同的数：演示可以重复</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>Mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>最小值</translation>
    </message>
    <message>
        <source>Std. dev.</source>
        <translation>标准差</translation>
    </message>
    <message>
        <source>High</source>
        <translation>最大值</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Input rows × columns (1 to {limit}; load an image for more)</source>
        <translation>输入的行 × 列（1 到 {limit}；更大的请载入图像）</translation>
    </message>
    <message>
        <source>Convolution output channels (kernels)</source>
        <translation>卷积的输出通道数（卷积核个数）</translation>
    </message>
    <message>
        <source>Batch size N: how many inputs are pooled at once</source>
        <translation>批次大小 N：一次处理多少个输入</translation>
    </message>
    <message>
        <source>Channels C of each input (pooling works per channel)</source>
        <translation>每个输入的通道数 C（池化按通道分别进行）</translation>
    </message>
    <message>
        <source>Batch item shown</source>
        <translation>显示的批次样本</translation>
    </message>
    <message>
        <source>Channel shown (for convolution: output channel)</source>
        <translation>显示的通道（卷积时为输出通道）</translation>
    </message>
    <message>
        <source>Convolution: input channel whose slice is shown</source>
        <translation>卷积：显示哪个输入通道的切片</translation>
    </message>
    <message>
        <source>Output channel o that Y, dY and dW show and the steps go through (keys O, Shift+O)</source>
        <translation>Y、dY 和 dW 显示、逐步计算所走的输出通道 o（按键 O、Shift+O）</translation>
    </message>
    <message>
        <source>Pattern used by Fill X and Fill W</source>
        <translation>“填充 X”和“填充 W”使用的图案</translation>
    </message>
    <message>
        <source>Fill X</source>
        <translation>填充 X</translation>
    </message>
    <message>
        <source>Fill the shown input plane with the chosen pattern</source>
        <translation>用所选图案填充当前显示的输入平面</translation>
    </message>
    <message>
        <source>Fill W</source>
        <translation>填充 W</translation>
    </message>
    <message>
        <source>Convolution: fill the shown kernel with the pattern</source>
        <translation>卷积：用所选图案填充当前显示的卷积核</translation>
    </message>
    <message>
        <source>Randomize X…</source>
        <translation>随机化 X…</translation>
    </message>
    <message>
        <source>Random input with a repeatable seed (Ctrl+R)</source>
        <translation>用可重复的种子生成随机输入（Ctrl+R）</translation>
    </message>
    <message>
        <source>Random 0–9</source>
        <translation>随机 0–9</translation>
    </message>
    <message>
        <source>Random integers 0..9 with the next seed</source>
        <translation>用下一个种子生成 0..9 的随机整数</translation>
    </message>
    <message>
        <source>Randomize W…</source>
        <translation>随机化 W…</translation>
    </message>
    <message>
        <source>Convolution: random kernel weights with a seed</source>
        <translation>卷积：用种子生成随机的卷积核权重</translation>
    </message>
    <message>
        <source>Use a PNG or JPEG as the input (grayscale, or RGB channels)</source>
        <translation>用 PNG 或 JPEG 图像作为输入（灰度，或 RGB 三通道）</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff)</source>
        <translation>图像 (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff)</translation>
    </message>
    <message>
        <source>RGB channels</source>
        <translation>RGB 通道</translation>
    </message>
    <message>
        <source>Load images as 3 channels (R, G, B) instead of grayscale</source>
        <translation>按 R、G、B 三个通道载入图像，而不是灰度</translation>
    </message>
    <message>
        <source>Sample image…</source>
        <translation>示例图像…</translation>
    </message>
    <message>
        <source>Use one of the bundled sample images as the input</source>
        <translation>用自带的示例图像作为输入</translation>
    </message>
    <message>
        <source>Upstream gradient dY = 1 everywhere: dX then counts how often each input is used</source>
        <translation>上游梯度 dY 处处为 1：这时 dX 统计每个输入被用到的次数</translation>
    </message>
    <message>
        <source>dY random</source>
        <translation>dY 随机</translation>
    </message>
    <message>
        <source>Random integer upstream gradient dY (next seed)</source>
        <translation>随机整数的上游梯度 dY（下一个种子）</translation>
    </message>
    <message>
        <source>Size H × W</source>
        <translation>大小 H × W</translation>
    </message>
    <message>
        <source>Batch / channels</source>
        <translation>批次 / 通道</translation>
    </message>
    <message>
        <source>Out channels</source>
        <translation>输出通道</translation>
    </message>
    <message>
        <source>Show n / c / c_in</source>
        <translation>显示 n / c / c_in</translation>
    </message>
    <message>
        <source>seed {seed}</source>
        <translation>种子 {seed}</translation>
    </message>
    <message>
        <source>Load image</source>
        <translation>载入图像</translation>
    </message>
    <message>
        <source>the window of the current step: the input cells it reads</source>
        <translation>当前步骤的窗口：它读取的输入单元格</translation>
    </message>
    <message>
        <source>the winning tap of a max-pooling window (and its cell in the mask)</source>
        <translation>最大池化窗口中胜出的位置（以及它在掩码中的单元格）</translation>
    </message>
    <message>
        <source>dX cells that receive gradient in the current backward step</source>
        <translation>在当前反向步骤中得到梯度的 dX 单元格</translation>
    </message>
    <message>
        <source>window taps that fall in the padding (never read as data)</source>
        <translation>落在填充区里的窗口位置（从不作为数据读取）</translation>
    </message>
    <message>
        <source>transposed convolution, last backward step: dY cells no patch reaches, added to db</source>
        <translation>转置卷积的最后一个反向步骤：没有任何区块覆盖的 dY 单元格，加到 db 上</translation>
    </message>
    <message>
        <source>cells a dilated window skips, and the ceil_mode overhang</source>
        <translation>膨胀窗口跳过的单元格，以及 ceil_mode 超出的部分</translation>
    </message>
    <message>
        <source>ceil_mode: a window PyTorch drops, as it would start outside the input (no output)</source>
        <translation>ceil_mode：PyTorch 舍弃的窗口，因为它会从输入之外开始（没有输出）</translation>
    </message>
    <message>
        <source>the window of the hovered output, or every output an input feeds</source>
        <translation>鼠标悬停的输出所对应的窗口，或某个输入参与的所有输出</translation>
    </message>
    <message>
        <source>Pitfalls: cells where the wrong implementation differs</source>
        <translation>常见错误：错误实现与正确结果不同的单元格</translation>
    </message>
    <message>
        <source>orange</source>
        <translation>橙色</translation>
    </message>
    <message>
        <source>magenta</source>
        <translation>品红色</translation>
    </message>
    <message>
        <source>red</source>
        <translation>红色</translation>
    </message>
    <message>
        <source>green</source>
        <translation>绿色</translation>
    </message>
    <message>
        <source>Annotation</source>
        <translation>标注</translation>
    </message>
    <message>
        <source>Pen</source>
        <translation>画笔</translation>
    </message>
    <message>
        <source>Draw over the matrices (P)</source>
        <translation>在矩阵上绘画（P）</translation>
    </message>
    <message>
        <source>Pen colour: {colour}</source>
        <translation>画笔颜色：{colour}</translation>
    </message>
    <message>
        <source>Next pen colour (C)</source>
        <translation>下一种画笔颜色（C）</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <source>Erase the strokes you touch (E)</source>
        <translation>擦除触碰到的笔画（E）</translation>
    </message>
    <message>
        <source>Clear the drawing</source>
        <translation>清除绘画</translation>
    </message>
    <message>
        <source>Clear the drawing on every step</source>
        <translation>每一步清除绘画</translation>
    </message>
    <message>
        <source>dashed orange</source>
        <translation>橙色虚线</translation>
    </message>
    <message>
        <source>blue</source>
        <translation>蓝色</translation>
    </message>
    <message>
        <source>dotted orange</source>
        <translation>橙色点线</translation>
    </message>
    <message>
        <source>black and white hatch</source>
        <translation>黑白斜纹</translation>
    </message>
    <message>
        <source>dashed cyan</source>
        <translation>青色虚线</translation>
    </message>
    <message>
        <source>violet</source>
        <translation>紫色</translation>
    </message>
    <message>
        <source>dashed red outline</source>
        <translation>红色虚线框</translation>
    </message>
    <message>
        <source>pale green</source>
        <translation>浅绿色</translation>
    </message>
    <message>
        <source>dark green</source>
        <translation>深绿色</translation>
    </message>
    <message>
        <source>dashed violet</source>
        <translation>紫色虚线</translation>
    </message>
    <message>
        <source>dotted violet</source>
        <translation>紫色点线</translation>
    </message>
    <message>
        <source>dashed pink</source>
        <translation>粉色虚线</translation>
    </message>
    <message>
        <source>dark teal</source>
        <translation>深青色</translation>
    </message>
    <message>
        <source>dashed navy outline</source>
        <translation>深蓝色虚线框</translation>
    </message>
    <message>
        <source>the input plane, with its padding ring (grey) when padding &gt; 0. Editable.</source>
        <translation>输入平面；padding &gt; 0 时带一圈（灰色的）填充。可编辑。</translation>
    </message>
    <message>
        <source>convolution only: the kernel slice of the shown channels. Editable.</source>
        <translation>仅用于卷积：当前显示通道的卷积核切片。可编辑。</translation>
    </message>
    <message>
        <source>filled in window by window during the forward phase.</source>
        <translation>在前向阶段一个窗口一个窗口地填入。</translation>
    </message>
    <message>
        <source>max pooling: how many windows each input cell won so far.</source>
        <translation>最大池化：迄今每个输入单元格在多少个窗口中胜出。</translation>
    </message>
    <message>
        <source>the gradient arriving from the next layer (ones by default). Editable.</source>
        <translation>从下一层传回来的梯度（默认全为 1）。可编辑。</translation>
    </message>
    <message>
        <source>built up window by window during the backward phase.</source>
        <translation>在反向阶段一个窗口一个窗口地累加出来。</translation>
    </message>
    <message>
        <source>convolution: the weight gradient, accumulated during the backward phase.</source>
        <translation>卷积：权重梯度，在反向阶段累加。</translation>
    </message>
    <message>
        <source>Getting started</source>
        <translation>入门指南</translation>
    </message>
    <message>
        <source>&lt;p&gt;Pooling Visualizer shows a sliding window computing &lt;b&gt;max pooling&lt;/b&gt;, &lt;b&gt;average pooling&lt;/b&gt; or a &lt;b&gt;convolution&lt;/b&gt;, one output at a time, and then the &lt;b&gt;backward pass&lt;/b&gt; that sends the gradient back to the input, with PyTorch&apos;s exact rules.&lt;/p&gt;</source>
        <translation>&lt;p&gt;池化可视化工具展示一个滑动窗口如何计算&lt;b&gt;最大池化&lt;/b&gt;、&lt;b&gt;平均池化&lt;/b&gt;或&lt;b&gt;卷积&lt;/b&gt;，每次算出一个输出；然后展示把梯度送回输入的&lt;b&gt;反向传播&lt;/b&gt;。所有规则与 PyTorch 完全一致。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Operations</source>
        <translation>运算</translation>
    </message>
    <message>
        <source>The screen</source>
        <translation>界面</translation>
    </message>
    <message>
        <source>&lt;li&gt;&lt;b&gt;Left:&lt;/b&gt; the operation and its parameters (hover any control for what it does), the data (size, channels, fills, random values, images) and the output-size formula.&lt;/li&gt;</source>
        <translation>&lt;li&gt;&lt;b&gt;左侧：&lt;/b&gt;运算及其参数（鼠标悬停在任一控件上可查看说明）、数据（大小、通道、填充、随机值、图像）以及输出大小的公式。&lt;/li&gt;</translation>
    </message>
    <message>
        <source>&lt;li&gt;&lt;b&gt;Middle:&lt;/b&gt; the matrices. Top row: the forward pass; bottom row: the backward pass.&lt;/li&gt;</source>
        <translation>&lt;li&gt;&lt;b&gt;中间：&lt;/b&gt;各个矩阵。上面一行是前向传播，下面一行是反向传播。&lt;/li&gt;</translation>
    </message>
    <message>
        <source>&lt;li&gt;&lt;b&gt;Bottom:&lt;/b&gt; the step controls and the arithmetic of the current step.&lt;/li&gt;</source>
        <translation>&lt;li&gt;&lt;b&gt;底部：&lt;/b&gt;步进控制按钮和当前步骤的算式。&lt;/li&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;Cell colours show the values: white to blue for inputs and outputs (black 0 and white 1 for a binary image), blue − white − red around zero for gradients, kernels and outputs with negative values. Padding cells are grey.&lt;/p&gt;</source>
        <translation>&lt;p&gt;单元格的颜色表示数值：输入和输出从白到蓝（二值图像中 0 为黑、1 为白）；梯度、卷积核以及含负值的输出以零为中心，从蓝经白到红。填充单元格是灰色的。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Stepping</source>
        <translation>步进</translation>
    </message>
    <message>
        <source>&lt;p&gt;Every output is one &lt;b&gt;forward&lt;/b&gt; step: the window moves, reads its cells and writes one output. After the last one the &lt;b&gt;backward&lt;/b&gt; phase replays the windows: each output&apos;s dY is sent back into dX (to the winner for max, spread evenly for average, weighted by W for convolution). Use the buttons or slider under the matrices, the keys below, or click an output cell to jump to its step. Hover a cell to see which windows it belongs to.&lt;/p&gt;</source>
        <translation>&lt;p&gt;每个输出对应一个&lt;b&gt;前向&lt;/b&gt;步骤：窗口移动，读取它的单元格，写出一个输出。最后一个输出之后，&lt;b&gt;反向&lt;/b&gt;阶段按同样的顺序重放这些窗口：每个输出的 dY 被送回 dX（最大池化送给胜出者，平均池化平均分配，卷积按 W 加权）。可以用矩阵下方的按钮或滑块、下面列出的按键，或点击输出单元格跳到对应的步骤。鼠标悬停在单元格上可查看它属于哪些窗口。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Code and checks</source>
        <translation>代码与检验</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;View ▸ Show code&lt;/b&gt; gives the NumPy call, the PyTorch equivalent and the plain loops of &lt;code&gt;engine/reference.py&lt;/code&gt; with the current step&apos;s line marked. &lt;b&gt;Tools ▸ Check gradients&lt;/b&gt; compares the backward pass with finite differences; &lt;b&gt;Tools ▸ Compare with PyTorch&lt;/b&gt; computes everything again with PyTorch (when it is installed) and shows where they agree.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;视图 ▸ 显示代码&lt;/b&gt;给出 NumPy 调用、等价的 PyTorch 代码，以及 &lt;code&gt;engine/reference.py&lt;/code&gt; 中的朴素循环，并标出当前步骤所在的行。&lt;b&gt;工具 ▸ 检验梯度&lt;/b&gt;用有限差分检验反向传播；&lt;b&gt;工具 ▸ 与 PyTorch 对比&lt;/b&gt;用 PyTorch（已安装时）把一切重新算一遍，并显示两者在哪里一致。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;tr&gt;&lt;td&gt;&lt;i&gt;Matrices&lt;/i&gt;&lt;/td&gt;&lt;td&gt;&lt;b&gt;type a number&lt;/b&gt;&lt;/td&gt;&lt;td&gt;edit the selected cell (X, W and dY; in presentation mode double-click it); while numbers are typed in, arrows, Tab and Enter move like a spreadsheet (Esc or a click ends it), otherwise the arrows keep stepping&lt;/td&gt;&lt;/tr&gt;</source>
        <translation>&lt;tr&gt;&lt;td&gt;&lt;i&gt;矩阵&lt;/i&gt;&lt;/td&gt;&lt;td&gt;&lt;b&gt;输入数字&lt;/b&gt;&lt;/td&gt;&lt;td&gt;编辑选中的单元格（X、W 和 dY；演示模式下双击单元格）；输入数字时，方向键、Tab 和 Enter 像电子表格一样移动（按 Esc 或单击结束），否则方向键继续单步&lt;/td&gt;&lt;/tr&gt;</translation>
    </message>
    <message>
        <source>&lt;tr&gt;&lt;td&gt;&lt;/td&gt;&lt;td&gt;&lt;b&gt;click an output&lt;/b&gt;&lt;/td&gt;&lt;td&gt;jump to its step&lt;/td&gt;&lt;/tr&gt;</source>
        <translation>&lt;tr&gt;&lt;td&gt;&lt;/td&gt;&lt;td&gt;&lt;b&gt;点击一个输出&lt;/b&gt;&lt;/td&gt;&lt;td&gt;跳到它的步骤&lt;/td&gt;&lt;/tr&gt;</translation>
    </message>
    <message>
        <source>Pooling Visualizer — getting started</source>
        <translation>池化可视化工具 — 入门指南</translation>
    </message>
    <message>
        <source>Getting started: the views, colours, stepping and shortcuts</source>
        <translation>入门指南：各个视图、颜色、步进和快捷键</translation>
    </message>
    <message>
        <source>{cell} (padding)</source>
        <translation>{cell}（填充）</translation>
    </message>
    <message>
        <source>{cell} (in a window PyTorch drops: with ceil_mode it would start outside the input, so it is never computed)</source>
        <translation>{cell}（在 PyTorch 舍弃的窗口中：ceil_mode 下该窗口会从输入之外开始，所以从不计算）</translation>
    </message>
    <message>
        <source>{cell} (beyond the padding)</source>
        <translation>{cell}（超出填充）</translation>
    </message>
    <message>
        <source>{cell} (a zero inserted between input cells)</source>
        <translation>{cell}（插在输入单元之间的零）</translation>
    </message>
    <message>
        <source>{cell}, weight ×{weight}</source>
        <translation>{cell}，权重 ×{weight}</translation>
    </message>
    <message>
        <source>{cell}, weight ×{weight} (not printed in the cell: too small for it and its number; the W matrix shows it)</source>
        <translation>{cell}，权重 ×{weight}（单元格放不下它和数字，未印出；W 矩阵中有这个权重）</translation>
    </message>
    <message>
        <source>{reason} — cell [{row}, {col}] keeps {old}</source>
        <translation>{reason} — 单元格 [{row}, {col}] 保留 {old}</translation>
    </message>
    <message>
        <source>{note} — cell [{row}, {col}]</source>
        <translation>{note} — 单元格 [{row}, {col}]</translation>
    </message>
    <message>
        <source>{value} in every cell</source>
        <translation>每个单元格都是 {value}</translation>
    </message>
    <message>
        <source>all {value}</source>
        <translation>全为 {value}</translation>
    </message>
    <message>
        <source>rows {top}–{bottom}</source>
        <translation>第 {top}–{bottom} 行</translation>
    </message>
    <message>
        <source>columns {left}–{right}</source>
        <translation>第 {left}–{right} 列</translation>
    </message>
    <message>
        <source>Close-up: rows {top}–{bottom}, columns {left}–{right}</source>
        <translation>放大：第 {top}–{bottom} 行，第 {left}–{right} 列</translation>
    </message>
    <message>
        <source>{rows}, {columns}</source>
        <translation>{rows}，{columns}</translation>
    </message>
    <message>
        <source>rows {top}–{bottom}</source>
        <comment>a narrow close-up&apos;s title</comment>
        <translation>行 {top}–{bottom}</translation>
    </message>
    <message>
        <source>cols {left}–{right}</source>
        <comment>a narrow close-up&apos;s title</comment>
        <translation>列 {left}–{right}</translation>
    </message>
    <message>
        <source>rows
{top}–{bottom}</source>
        <comment>a narrow close-up&apos;s title, two lines</comment>
        <translation>行
{top}–{bottom}</translation>
    </message>
    <message>
        <source>cols
{left}–{right}</source>
        <comment>a narrow close-up&apos;s title, two lines</comment>
        <translation>列
{left}–{right}</translation>
    </message>
    <message>
        <source>Window size (height × width). For convolution this is the kernel&apos;s shape.</source>
        <translation>窗口大小（高 × 宽）。对卷积来说就是卷积核的形状。</translation>
    </message>
    <message>
        <source>How far the window moves between outputs (rows × columns).</source>
        <translation>相邻两个输出之间窗口移动的距离（行 × 列）。</translation>
    </message>
    <message>
        <source>Extra cells around the input: −∞ for max pooling (padding never wins), 0 for average pooling and convolution. Pooling allows at most half the kernel.</source>
        <translation>在输入四周补上的单元格：最大池化补 −∞（填充永远不会胜出），平均池化和卷积补 0。池化的填充最多为卷积核的一半。</translation>
    </message>
    <message>
        <source>Spacing between the window&apos;s taps; 1 means adjacent cells.</source>
        <translation>窗口中各采样位置之间的间隔；1 表示相邻的单元格。</translation>
    </message>
    <message>
        <source>first max (PyTorch)</source>
        <translation>第一个最大值（PyTorch）</translation>
    </message>
    <message>
        <source>every tied max, in full</source>
        <translation>每个并列最大值，全额</translation>
    </message>
    <message>
        <source>split between ties</source>
        <translation>并列者平分</translation>
    </message>
    <message>
        <source>{position} goes to the maximum: {updates}</source>
        <translation>{position} 传给最大值：{updates}</translation>
    </message>
    <message>
        <source>{position} goes to the maximum: {updates} (it won {wins} windows)</source>
        <translation>{position} 传给最大值：{updates}（它已在 {wins} 个窗口中胜出）</translation>
    </message>
    <message>
        <source>{position} goes in full to every tied maximum: {updates}</source>
        <translation>{position} 全额传给每个并列最大值：{updates}</translation>
    </message>
    <message>
        <source>{position} goes shared by {count} tied maxima: {updates}</source>
        <translation>{position} 由 {count} 个并列最大值平分：{updates}</translation>
    </message>
    <message>
        <source>Each output is the largest value in its window.</source>
        <translation>每个输出是其窗口中的最大值。</translation>
    </message>
    <message>
        <source>{tip} (height)</source>
        <translation>{tip}（高）</translation>
    </message>
    <message>
        <source>{tip} (width)</source>
        <translation>{tip}（宽）</translation>
    </message>
    <message>
        <source>Set {name} to {value}</source>
        <translation>把 {name} 设为 {value}</translation>
    </message>
    <message>
        <source>Operation and parameters</source>
        <translation>运算与参数</translation>
    </message>
    <message>
        <source>What the sliding window computes (keys {keys})</source>
        <translation>滑动窗口计算的内容（按键 {keys}）</translation>
    </message>
    <message>
        <source>Operation</source>
        <translation>运算</translation>
    </message>
    <message>
        <source>Kernel</source>
        <extracomment>The largest kernel, stride, padding and dilation the app offers (controls, files, CLI).</extracomment>
        <translation>核大小</translation>
    </message>
    <message>
        <source>Stride</source>
        <translation>步长</translation>
    </message>
    <message>
        <source>Padding</source>
        <translation>填充</translation>
    </message>
    <message>
        <source>Dilation</source>
        <translation>膨胀</translation>
    </message>
    <message>
        <source>Ties</source>
        <translation>并列</translation>
    </message>
    <message>
        <source>Round the output size up: a last, partial window is kept if it starts inside the input or the left padding.</source>
        <translation>输出大小向上取整：如果最后一个不完整的窗口从输入内部或左侧填充中开始，就保留它。</translation>
    </message>
    <message>
        <source>Average pooling divides by the window size including padding cells (never the ceil_mode overhang).</source>
        <translation>平均池化除以包含填充单元格在内的窗口大小（但从不包含 ceil_mode 超出的部分）。</translation>
    </message>
    <message>
        <source>Average pooling: divide every window by a fixed number instead of its size</source>
        <translation>平均池化：每个窗口都除以一个固定的数，而不是窗口大小</translation>
    </message>
    <message>
        <source>{position} / {divisor} = {share} is added to each of the window&apos;s {count} input cells in dX; {dropped}/{divisor} of dY fell on padding and is dropped</source>
        <translation>{position} / {divisor} = {share}，加到 dX 中该窗口的每个输入单元格上（共 {count} 个）；dY 的 {dropped}/{divisor} 落在填充上，被丢弃</translation>
    </message>
    <message>
        <source>Each output is the mean of its window.</source>
        <translation>每个输出是其窗口的平均值。</translation>
    </message>
    <message>
        <source>Max pooling backward: which of several equal maxima in a window receives its gradient (PyTorch: the first one)</source>
        <translation>最大池化反向传播：窗口中有几个相等的最大值时，由哪一个接收梯度（PyTorch：第一个）</translation>
    </message>
    <message>
        <source>Convolution: add a bias to every output (off: no bias)</source>
        <translation>卷积：给每个输出加上偏置（关闭：无偏置）</translation>
    </message>
    <message>
        <source>set padding ≥ 1 and make the border values negative (Fill X → Negative values).</source>
        <translation>把填充设为 ≥ 1，并让边缘的值为负数（填充 X → 负数）。</translation>
    </message>
    <message>
        <source>use a stride of 2 or more.</source>
        <translation>使用 2 或更大的步长。</translation>
    </message>
    <message>
        <source>make a window hold its maximum twice (Fill X → Ties everywhere).</source>
        <translation>让某个窗口中的最大值出现两次（填充 X → 处处并列）。</translation>
    </message>
    <message>
        <source>use an input size that the kernel does not divide with ceil_mode on, or a stride other than the kernel, or padding.</source>
        <translation>打开 ceil_mode 并使用不能被卷积核整除的输入大小，或者使用与卷积核不同的步长，或者加上填充。</translation>
    </message>
    <message>
        <source>turn on ceil_mode with a size the kernel does not divide, or turn off count_include_pad with padding, or set divisor_override.</source>
        <translation>打开 ceil_mode 并使用不能被卷积核整除的大小，或者在有填充时关闭 count_include_pad，或者设置 divisor_override。</translation>
    </message>
    <message>
        <source>set a non-zero bias.</source>
        <translation>设置一个非零的偏置。</translation>
    </message>
    <message>
        <source>use a kernel that changes when turned half way round, e.g. [[1, −1]].</source>
        <translation>使用旋转 180° 后会改变的卷积核，例如 [[1, −1]]。</translation>
    </message>
    <message>
        <source>Which common mistake to compare with the correct result</source>
        <translation>选择要与正确结果对比的常见错误</translation>
    </message>
    <message>
        <source>Correct</source>
        <translation>正确</translation>
    </message>
    <message>
        <source>Wrong</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>No pitfall applies to this operation.</source>
        <translation>没有适用于这个运算的常见错误。</translation>
    </message>
    <message>
        <source>Cannot show this pitfall here: {reason}</source>
        <translation>这里无法展示这个常见错误：{reason}</translation>
    </message>
    <message>
        <source>Correct {name}  ({shape})</source>
        <translation>正确的 {name}（{shape}）</translation>
    </message>
    <message>
        <source>Wrong {name}  ({shape}, empty)</source>
        <translation>错误的 {name}（{shape}，为空）</translation>
    </message>
    <message>
        <source>Wrong {name}  ({shape})</source>
        <translation>错误的 {name}（{shape}）</translation>
    </message>
    <message>
        <source>Correct {name}</source>
        <translation>正确的 {name}</translation>
    </message>
    <message>
        <source>Wrong {name} (empty)</source>
        <translation>错误的 {name}（为空）</translation>
    </message>
    <message>
        <source>Wrong {name}</source>
        <translation>错误的 {name}</translation>
    </message>
    <message>
        <source>change the data.</source>
        <translation>修改数据。</translation>
    </message>
    <message>
        <source>0 cells differ: this data hides the mistake. To see it, {hint}</source>
        <translation>0 个单元格不同：这组数据掩盖了这个错误。要看到它，请{hint}</translation>
    </message>
    <message>
        <source>All {count} cells differ</source>
        <translation>全部 {count} 个单元格都不同</translation>
    </message>
    <message>
        <source>{count} cell differs (framed)</source>
        <translation>{count} 个单元格不同（已框出）</translation>
    </message>
    <message>
        <source>{count} cells differ (framed)</source>
        <translation>{count} 个单元格不同（已框出）</translation>
    </message>
    <message>
        <source>Shapes differ ({correct} vs {wrong}): {count_text}</source>
        <translation>形状不同（{correct} 对 {wrong}）：{count_text}</translation>
    </message>
    <message>
        <source>Pitfalls: wrong vs correct</source>
        <translation>常见错误：错误与正确对照</translation>
    </message>
    <message>
        <source>Pitfalls</source>
        <translation>常见错误</translation>
    </message>
    <message>
        <source>Pitfalls: common wrong implementations beside the correct result (Ctrl+P)</source>
        <translation>常见错误：把常见的错误实现与正确结果并排对照（Ctrl+P）</translation>
    </message>
    <message>
        <source>The data has changed since this preset was loaded.</source>
        <translation>载入这个预设之后，数据已经改动过。</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <source>Choose a preset from the Presets menu.</source>
        <translation>请从“预设”菜单中选择一个预设。</translation>
    </message>
    <message>
        <source>Preset: {name}</source>
        <translation>预设：{name}</translation>
    </message>
    <message>
        <source>&lt;b&gt;{title}.&lt;/b&gt;&amp;nbsp; {explanation}</source>
        <translation>&lt;b&gt;{title}。&lt;/b&gt;&amp;nbsp; {explanation}</translation>
    </message>
    <message>
        <source>&amp;Presets</source>
        <translation>预设(&amp;P)</translation>
    </message>
    <message>
        <source>Open preset file…</source>
        <translation>打开预设文件…</translation>
    </message>
    <message>
        <source>Load a preset JSON file of your own</source>
        <translation>载入你自己的预设 JSON 文件</translation>
    </message>
    <message>
        <source>Show preset explanation</source>
        <translation>显示预设说明</translation>
    </message>
    <message>
        <source>Presets</source>
        <translation>预设</translation>
    </message>
    <message>
        <source>Presets: classic examples for a lecture (Alt+P opens the menu)</source>
        <translation>预设：适合课堂讲解的经典示例（Alt+P 打开菜单）</translation>
    </message>
    <message>
        <source>{name} (broken)</source>
        <translation>{name}（已损坏）</translation>
    </message>
    <message>
        <source>Preset not loaded: {reason}</source>
        <translation>未载入预设：{reason}</translation>
    </message>
    <message>
        <source>Loaded preset: {title} (Ctrl+Z undoes)</source>
        <translation>已载入预设：{title}（Ctrl+Z 可撤销）</translation>
    </message>
    <message>
        <source>Open preset</source>
        <translation>打开预设</translation>
    </message>
    <message>
        <source>Presets (*.json)</source>
        <translation>预设 (*.json)</translation>
    </message>
    <message>
        <source>First step (Home)</source>
        <translation>第一步（Home）</translation>
    </message>
    <message>
        <source>Previous step (Left)</source>
        <translation>上一步（Left）</translation>
    </message>
    <message>
        <source>Play / pause (Space)</source>
        <translation>播放 / 暂停（Space）</translation>
    </message>
    <message>
        <source>Next step (Right)</source>
        <translation>下一步（Right）</translation>
    </message>
    <message>
        <source>Last step (End)</source>
        <translation>最后一步（End）</translation>
    </message>
    <message>
        <source>Scrub through the forward steps, then the backward steps</source>
        <translation>拖动浏览前向步骤，然后是反向步骤</translation>
    </message>
    <message>
        <source>/s</source>
        <comment>steps per second</comment>
        <translation> 步/秒</translation>
    </message>
    <message>
        <source>Playback speed (up to {max}/s for a large image)</source>
        <translation>播放速度（大图像最多 {max} 步/秒）</translation>
    </message>
    <message>
        <source>Next row</source>
        <translation>下一行</translation>
    </message>
    <message>
        <source>Jump to the first window of the next row</source>
        <translation>跳到下一行的第一个窗口</translation>
    </message>
    <message>
        <source>Forward {index} / {total}</source>
        <translation>前向 {index} / {total}</translation>
    </message>
    <message>
        <source>Backward {index} / {total}</source>
        <translation>反向 {index} / {total}</translation>
    </message>
    <message>
        <source>Output: {rows} × {cols}; {count} steps, one per input cell</source>
        <translation>输出：{rows} × {cols}；共 {count} 步，每个输入单元格一步</translation>
    </message>
    <message>
        <source>Output size</source>
        <extracomment>A coordinate no input has: taps of a bin past its end.</extracomment>
        <translation>输出大小</translation>
    </message>
    <message>
        <source>Adaptive pooling: the output size (height × width); the windows adapt to the input. 1 × 1 is global pooling.</source>
        <translation>自适应池化：输出大小（高 × 宽）；窗口随输入大小自动调整。1 × 1 即全局池化。</translation>
    </message>
    <message>
        <source>Global</source>
        <translation>全局</translation>
    </message>
    <message>
        <source>✗ Not applied: {reason}</source>
        <translation>✗ 未应用：{reason}</translation>
    </message>
    <message>
        <source>Output: {rows} × {cols} = {count} windows</source>
        <translation>输出：{rows} × {cols} = {count} 个窗口</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>检验</translation>
    </message>
    <message>
        <source>Check gradients</source>
        <translation>检验梯度</translation>
    </message>
    <message>
        <source>Nudge every input element by ±1e-6 and compare the change of sum(Y·dY) with the backward pass (Ctrl+G)</source>
        <translation>把每个输入元素微调 ±1e-6，将 sum(Y·dY) 的变化与反向传播的结果比较（Ctrl+G）</translation>
    </message>
    <message>
        <source>Finite differences</source>
        <translation>有限差分</translation>
    </message>
    <message>
        <source>dX[i] should equal (L(x + ε·eᵢ) − L(x − ε·eᵢ)) / 2ε with L = Σ Y·dY, ε = 1e-6.</source>
        <translation>dX[i] 应当等于 (L(x + ε·eᵢ) − L(x − ε·eᵢ)) / 2ε，其中 L = Σ Y·dY，ε = 1e-6。</translation>
    </message>
    <message>
        <source>Which result the matrix below compares, cell by cell</source>
        <translation>下方矩阵逐个单元格对比的是哪个结果</translation>
    </message>
    <message>
        <source>Absolute difference per cell for the shown plane; 0 everywhere means identical</source>
        <translation>当前显示平面中每个单元格的绝对差；处处为 0 表示完全相同</translation>
    </message>
    <message>
        <source>Compare with PyTorch</source>
        <translation>与 PyTorch 对比</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>max |{name} − numeric| = {error}</source>
        <translation>max |{name} − 数值解| = {error}</translation>
    </message>
    <message>
        <source>checked {checked} of {total} elements, {skipped} left out</source>
        <translation>检验了 {total} 个元素中的 {checked} 个，跳过 {skipped} 个</translation>
    </message>
    <message>
        <source>checked {checked} of {total} elements</source>
        <translation>检验了 {total} 个元素中的 {checked} 个</translation>
    </message>
    <message>
        <source>Agrees with PyTorch: every cell matches (largest difference {error}).</source>
        <translation>与 PyTorch 一致：每个单元格都吻合（最大差异 {error}）。</translation>
    </message>
    <message>
        <source>Differs from PyTorch only where the app&apos;s tie rule differs by design.</source>
        <translation>只在本程序有意采用不同并列规则的地方与 PyTorch 不同。</translation>
    </message>
    <message>
        <source>Disagrees with PyTorch: cells differ by up to {error}.</source>
        <translation>与 PyTorch 不一致：单元格最多相差 {error}。</translation>
    </message>
    <message>
        <source>{mark} {quantity}: {agree}/{cells} cells agree, max |Δ| = {error}</source>
        <translation>{mark} {quantity}：{agree}/{cells} 个单元格一致，max |Δ| = {error}</translation>
    </message>
    <message>
        <source>all output channels</source>
        <translation>所有输出通道</translation>
    </message>
    <message>
        <source>|engine − PyTorch| of {quantity}, {where}</source>
        <translation>{quantity}的 |引擎 − PyTorch|，{where}</translation>
    </message>
    <message>
        <source>|engine − PyTorch| per cell, {where}</source>
        <translation>每个单元格的 |引擎 − PyTorch|，{where}</translation>
    </message>
    <message>
        <source>Out of date: the data changed. {verdict}</source>
        <translation>已过时：数据已改动。{verdict}</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>Check gradients: compare the backward pass with finite differences</source>
        <translation>检验梯度：用有限差分检验反向传播</translation>
    </message>
    <message>
        <source>Compare with PyTorch: the same forward and backward from torch.nn.functional, cell by cell</source>
        <translation>与 PyTorch 对比：用 torch.nn.functional 计算同样的前向和反向，逐个单元格比较</translation>
    </message>
    <message>
        <source>Compare with PyTorch — unavailable: {reason}</source>
        <translation>与 PyTorch 对比 — 不可用：{reason}</translation>
    </message>
    <message>
        <source>Input X  ({size}, padded with {value})</source>
        <translation>输入 X（{size}，以 {value} 填充）</translation>
    </message>
    <message>
        <source>Input X[{channel}]  ({size})</source>
        <translation>输入 X[{channel}]（{size}）</translation>
    </message>
    <message>
        <source>Input X  ({size})</source>
        <translation>输入 X（{size}）</translation>
    </message>
    <message>
        <source>Coloured cells: the input X. Pale cells: zeros inserted between input cells (stride − 1 of them). Grey cells: padding zeros.</source>
        <translation>彩色单元：输入 X。浅色单元：插在输入单元之间的零（每处 stride − 1 个）。灰色单元：填充的零。</translation>
    </message>
    <message>
        <source>Grey cells: padding (−∞ for max pooling, so it never wins; 0 otherwise). Hatched cells: beyond the padding, only reached by ceil_mode windows (never read).</source>
        <translation>灰色单元格：填充（最大池化为 −∞，所以永远不会胜出；其他情况为 0）。斜纹单元格：超出填充的部分，只有 ceil_mode 的窗口会到达（从不读取）。</translation>
    </message>
    <message>
        <source>Dashed outline: a window PyTorch drops. With ceil_mode it would start outside the input (or in its right padding), so it is never computed and has no output.</source>
        <translation>虚线框：PyTorch 舍弃的窗口。ceil_mode 下它会从输入之外（或其右侧填充中）开始，所以从不计算，也没有输出。</translation>
    </message>
    <message>
        <source>Output Y[{channel}]  ({size})</source>
        <translation>输出 Y[{channel}]（{size}）</translation>
    </message>
    <message>
        <source>Upstream gradient dY[{channel}]</source>
        <translation>上游梯度 dY[{channel}]</translation>
    </message>
    <message>
        <source>dW[{w}]  so far</source>
        <translation>dW[{w}]（迄今）</translation>
    </message>
    <message>
        <source>dW[{w}] so far</source>
        <comment>a narrow view&apos;s title</comment>
        <translation>dW[{w}]（迄今）</translation>
    </message>
    <message>
        <source>dW so far</source>
        <comment>a narrow view&apos;s title</comment>
        <translation>dW（迄今）</translation>
    </message>
    <message>
        <source>Input gradient dX[{channel}]  so far</source>
        <translation>输入梯度 dX[{channel}]（迄今）</translation>
    </message>
    <message>
        <source>Input gradient dX[{channel}]</source>
        <translation>输入梯度 dX[{channel}]</translation>
    </message>
    <message>
        <source>Channel {first}</source>
        <translation>通道 {first}</translation>
    </message>
    <message>
        <source>Channels {first}–{last}</source>
        <translation>通道 {first}–{last}</translation>
    </message>
    <message>
        <source>Input channel {first}  ({count} in all)</source>
        <translation>输入通道 {first}（共 {count} 个）</translation>
    </message>
    <message>
        <source>Input channels {first}–{last}  ({count} in all)</source>
        <translation>输入通道 {first}–{last}（共 {count} 个）</translation>
    </message>
    <message>
        <source>Marked cells: the value differs between the settings</source>
        <translation>标记的单元：各设置之间的值不同</translation>
    </message>
    <message>
        <source>Output Y  ({size})</source>
        <translation>输出 Y（{size}）</translation>
    </message>
    <message>
        <source>Stop comparing</source>
        <translation>停止对比</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <source>Compare settings side by side</source>
        <translation>并排对比设置</translation>
    </message>
    <message>
        <source>Compare…</source>
        <translation>对比…</translation>
    </message>
    <message>
        <source>Quick comparisons: the same input with another setting, side by side in lockstep</source>
        <translation>快速对比：同一输入换一种设置，并排同步单步</translation>
    </message>
    <message>
        <source>Kernel W  ({size})</source>
        <translation>卷积核 W（{size}）</translation>
    </message>
    <message>
        <source>Argmax mask  (wins per cell)</source>
        <translation>Argmax 掩码（胜出次数）</translation>
    </message>
    <message>
        <source>Argmax mask[{channel}]  (wins per cell)</source>
        <translation>Argmax 掩码[{channel}]（胜出次数）</translation>
    </message>
    <message>
        <source>mask[{channel}]</source>
        <translation>掩码[{channel}]</translation>
    </message>
    <message>
        <source>{title}  ({size})</source>
        <translation>{title}（{size}）</translation>
    </message>
    <message>
        <source>Which input channels are shown, four at a time (keys I, Shift+I)</source>
        <translation>显示哪些输入通道，每次四个（按键 I、Shift+I）</translation>
    </message>
    <message>
        <source>Previous input channels (Shift+I)</source>
        <translation>上一组输入通道（Shift+I）</translation>
    </message>
    <message>
        <source>Next input channels (I)</source>
        <translation>下一组输入通道（I）</translation>
    </message>
    <message>
        <source>Input X[{channel}]  ({size}, padded with {value})</source>
        <translation>输入 X[{channel}]（{size}，以 {value} 填充）</translation>
    </message>
    <message>
        <source>mask</source>
        <translation>掩码</translation>
    </message>
    <message>
        <source>dW  so far</source>
        <translation>dW（迄今）</translation>
    </message>
    <message>
        <source>Input gradient dX  so far</source>
        <translation>输入梯度 dX（迄今）</translation>
    </message>
    <message>
        <source>{tensor} has {count} elements: checked a fixed random sample of {sample}.</source>
        <translation>{tensor} 有 {count} 个元素：检验了其中固定的 {sample} 个随机样本。</translation>
    </message>
    <message>
        <source>{count} element(s) are tied (within eps) with another candidate maximum of a window: max is not differentiable there, so they were left out.</source>
        <translation>有 {count} 个元素与窗口中另一个候选最大值并列（相差在 eps 以内）：max 在那里不可导，因此没有检验它们。</translation>
    </message>
    <message>
        <source>a random sample of {count} elements</source>
        <translation>随机抽取的 {count} 个元素</translation>
    </message>
    <message>
        <source>Gradients not compared: {count} window(s) read only padding here, where PyTorch&apos;s {function} backward writes out of bounds and can crash (PyTorch issue #114216). The app sends those windows&apos; gradient nowhere.</source>
        <translation>未对比梯度：这里有 {count} 个窗口只读到填充，PyTorch 的 {function} 反向传播在这种情况下会越界写入并可能崩溃（PyTorch issue #114216）。本程序不把这些窗口的梯度传给任何元素。</translation>
    </message>
    <message>
        <source>Indices of the {count} window(s) that read only padding are not compared (no element is the maximum there).</source>
        <translation>只读到填充的 {count} 个窗口的索引没有对比（那里没有哪个元素是最大值）。</translation>
    </message>
    <message>
        <source>PyTorch gave no answer within {seconds} s and was stopped.</source>
        <translation>PyTorch 在 {seconds} 秒内没有给出结果，已被停止。</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>PyTorch&apos;s answer could not be read: {reason}</source>
        <translation>无法读取 PyTorch 的结果：{reason}</translation>
    </message>
    <message>
        <source>PyTorch stopped with an error: {detail}</source>
        <translation>PyTorch 因错误而停止：{detail}</translation>
    </message>
    <message>
        <source>PyTorch crashed ({signal}) while computing {function}; it ran in a separate process, so the app is unaffected. {detail}</source>
        <translation>PyTorch 在计算 {function} 时崩溃（{signal}）；它运行在单独的进程中，所以本程序不受影响。{detail}</translation>
    </message>
    <message>
        <source>PyTorch stopped with an error (exit status {status}): {detail}</source>
        <translation>PyTorch 因错误而停止（退出状态 {status}）：{detail}</translation>
    </message>
    <message>
        <source>Checking gradients…</source>
        <translation>正在检验梯度…</translation>
    </message>
    <message>
        <source>Gradient check cancelled.</source>
        <translation>梯度检验已取消。</translation>
    </message>
    <message>
        <source>The gradient check could not run: {reason}</source>
        <translation>梯度检验无法运行：{reason}</translation>
    </message>
    <message>
        <source>Comparing with PyTorch…</source>
        <translation>正在与 PyTorch 对比…</translation>
    </message>
    <message>
        <source>Comparison with PyTorch cancelled.</source>
        <translation>与 PyTorch 的对比已取消。</translation>
    </message>
    <message>
        <source>Agrees with PyTorch on everything compared (largest difference {error}); some results were not compared, see below.</source>
        <translation>对比过的部分都与 PyTorch 一致（最大差异 {error}）；有些结果没有对比，见下文。</translation>
    </message>
    <message>
        <source>Stop this check</source>
        <translation>停止这项检验</translation>
    </message>
    <message>
        <source>Adaptive average pooling</source>
        <translation>自适应平均池化</translation>
    </message>
    <message>
        <source>You choose the output size; each output is the mean of a window sized to fit (output size 1 is global average pooling, as in a ResNet head).</source>
        <translation>由你选择输出大小；每个输出是一个大小自动适配的窗口的平均值（输出大小为 1 即全局平均池化，如 ResNet 的输出头）。</translation>
    </message>
    <message>
        <source>Adaptive max pooling</source>
        <translation>自适应最大池化</translation>
    </message>
    <message>
        <source>You choose the output size; each output is the largest value of a window sized to fit (output size 1 is global max pooling).</source>
        <translation>由你选择输出大小；每个输出是一个大小自动适配的窗口中的最大值（输出大小为 1 即全局最大池化）。</translation>
    </message>
    <message>
        <source>Output padding</source>
        <translation>输出填充</translation>
    </message>
    <message>
        <source>Transposed convolution: extra rows and columns at the bottom and right of the output (smaller than the stride or the dilation); it picks one of the sizes a strided convolution maps to the same input size.</source>
        <translation>转置卷积：在输出的底部和右侧额外添加的行和列（须小于步长或膨胀）；带步长的卷积会把几种不同的大小映射到同一个输入大小，它从中选定一种。</translation>
    </message>
    <message>
        <source>As a convolution (zeros inserted, W flipped)</source>
        <translation>换作卷积（插零，W 翻转）</translation>
    </message>
    <message>
        <source>Show the same output computed the other way: stride − 1 zeros inserted between the input cells, padded by dilation·(k − 1) − padding (plus output_padding at the bottom and right), then a normal convolution (stride 1) with the flipped kernel.</source>
        <translation>用另一种方式算出同一个输出：在输入单元之间插入 stride − 1 个零，四周填充 dilation·(k − 1) − padding（下方和右方再加 output_padding），然后用翻转后的卷积核做普通卷积（步长 1）。</translation>
    </message>
    <message>
        <source>{source} = {value} scatters {value}·W onto Y: {updates}</source>
        <translation>{source} = {value} 把 {value}·W 散布到 Y 上：{updates}</translation>
    </message>
    <message>
        <source>dX[{row}, {col}] = Σ dY·W over its patch = {terms} = {total}; dW gets X[{row}, {col}]·dY</source>
        <translation>dX[{row}, {col}] = 在它的区块上求和 Σ dY·W = {terms} = {total}；dW 加上 X[{row}, {col}]·dY</translation>
    </message>
    <message>
        <source>dX[{row}, {col}] = Σ dY·W over its patch = {terms} = {total}; dW gets X[{row}, {col}]·dY; db also takes the {count} dY cells no patch reaches: {rest}</source>
        <translation>dX[{row}, {col}] = 在它的区块上求和 Σ dY·W = {terms} = {total}；dW 加上 X[{row}, {col}]·dY；db 还加上没有任何区块覆盖的 {count} 个 dY 单元格：{rest}</translation>
    </message>
    <message>
        <source>Y[{row}, {col}] = {terms} = {result}   (flipped W over the canvas; the other {zeros} taps read zeros: {inserted} inserted, {padding} padding)</source>
        <translation>Y[{row}, {col}] = {terms} = {result}   （翻转的 W 在画布上滑动；其余 {zeros} 个抽头读到零：{inserted} 个插入的零，{padding} 个填充的零）</translation>
    </message>
    <message>
        <source>Y[{row}, {col}] = {terms} = {result}   (flipped W over the canvas)</source>
        <translation>Y[{row}, {col}] = {terms} = {result}   （翻转的 W 在画布上滑动）</translation>
    </message>
    <message>
        <source>Zero-inserted X</source>
        <translation>插零后的 X</translation>
    </message>
    <message>
        <source>W flipped</source>
        <translation>翻转的 W</translation>
    </message>
    <message>
        <source>dX of the canvas</source>
        <translation>画布的梯度 dX</translation>
    </message>
    <message>
        <source>dW flipped</source>
        <translation>翻转的 dW</translation>
    </message>
    <message>
        <source>Transposed convolution</source>
        <translation>转置卷积</translation>
    </message>
    <message>
        <source>Each input cell adds the kernel, scaled by its value, onto its patch of the output: upsampling in decoders and GANs, and the backward of a convolution.</source>
        <translation>每个输入单元格把卷积核乘以自身的值，加到输出中对应的区块上：用于解码器和 GAN 中的上采样，也是卷积的反向传播。</translation>
    </message>
    <message>
        <source>Power p</source>
        <translation>幂 p</translation>
    </message>
    <message>
        <source>LP pooling: the power p in (Σ x^p)^(1/p). p = 1 is the window&apos;s sum; a large p approaches the maximum. Not 0.</source>
        <translation>LP 池化：(Σ x^p)^(1/p) 中的幂 p。p = 1 时是窗口的和；p 越大越接近最大值。不能为 0。</translation>
    </message>
    <message>
        <source>{position}: each cell x of the window gets {dy}·∂y/∂x = {dy}·(x / {result})^(p − 1) in dX (p = {p})</source>
        <translation>{position}：窗口中的每个单元格 x 在 dX 中得到 {dy}·∂y/∂x = {dy}·(x / {result})^(p − 1)（p = {p}）</translation>
    </message>
    <message>
        <source>{position} goes to the largest |x|: {targets} += {share}</source>
        <translation>{position} 传给 |x| 最大者：{targets} += {share}</translation>
    </message>
    <message>
        <source>LP pooling</source>
        <translation>LP 池化</translation>
    </message>
    <message>
        <source>Each output is (Σ x^p)^(1/p) over its window: p = 1 is the sum, large p approaches the maximum.</source>
        <translation>每个输出是其窗口上的 (Σ x^p)^(1/p)：p = 1 时为求和，p 越大越接近最大值。</translation>
    </message>
    <message>
        <source>Pooled P</source>
        <translation>池化结果 P</translation>
    </message>
    <message>
        <source>Indices I</source>
        <translation>索引 I</translation>
    </message>
    <message>
        <source>Gradient dP</source>
        <translation>梯度 dP</translation>
    </message>
    <message>
        <source>P[{row}, {col}] = {value} goes back to Y[{target_row}, {target_col}] (I = {index})</source>
        <translation>P[{row}, {col}] = {value} 放回 Y[{target_row}, {target_col}]（I = {index}）</translation>
    </message>
    <message>
        <source>dP[{row}, {col}] = dY[{target_row}, {target_col}] = {value}</source>
        <translation>dP[{row}, {col}] = dY[{target_row}, {target_col}] = {value}</translation>
    </message>
    <message>
        <source>Max-unpooling</source>
        <translation>最大反池化</translation>
    </message>
    <message>
        <source>Puts each max-pooled value back where it came from (its index), zeros elsewhere: what SegNet&apos;s decoder keeps from the encoder.</source>
        <translation>把每个经最大池化得到的值放回它原来的位置（由索引给出），其余位置为 0：SegNet 的解码器正是这样利用编码器记下的位置。</translation>
    </message>
    <message>
        <source>session</source>
        <translation>会话</translation>
    </message>
    <message>
        <source>preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <source>image</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>it is a folder, not a file</source>
        <translation>这是一个文件夹，不是文件</translation>
    </message>
    <message>
        <source>it is a named pipe (FIFO), not a regular file; only regular files are read</source>
        <translation>这是一个命名管道（FIFO），不是普通文件；只读取普通文件</translation>
    </message>
    <message>
        <source>it is a device, not a regular file; only regular files are read</source>
        <translation>这是一个设备，不是普通文件；只读取普通文件</translation>
    </message>
    <message>
        <source>it is a special file (socket), not a regular file; only regular files are read</source>
        <translation>这是一个特殊文件（套接字），不是普通文件；只读取普通文件</translation>
    </message>
    <message>
        <source>{size} is larger than a {what} file may be ({limit} at most)</source>
        <translation>{size} 超过了{what}文件允许的大小（最多 {limit}）</translation>
    </message>
    <message>
        <source>more than {limit}</source>
        <translation>超过 {limit}</translation>
    </message>
    <message>
        <source>not enough memory to read it</source>
        <translation>内存不足，无法读取</translation>
    </message>
    <message>
        <source>not a text (UTF-8) file</source>
        <translation>不是文本（UTF-8）文件</translation>
    </message>
    <message>
        <source>it is a symbolic link; links are neither replaced nor followed, choose the file it points to</source>
        <translation>这是一个符号链接；链接既不会被替换也不会被跟随，请选择它指向的文件</translation>
    </message>
    <message>
        <source>it is not a regular file (a device, FIFO or socket); it is left alone</source>
        <translation>这不是普通文件（设备、FIFO 或套接字）；不会改动它</translation>
    </message>
    <message>
        <source>dX[{row}, {col}] = dY·[x &gt; 0] = {dy}·{gate} = {result}</source>
        <translation>dX[{row}, {col}] = dY·[x &gt; 0] = {dy}·{gate} = {result}</translation>
    </message>
    <message>
        <source>ReLU</source>
        <translation>ReLU 激活</translation>
    </message>
    <message>
        <source>Each output is max(0, x) of its own input element: negatives become 0. The gradient passes where x &gt; 0 and is 0 elsewhere (also at x = 0).</source>
        <translation>每个输出是它所对应输入元素的 max(0, x)：负数变为 0。梯度在 x &gt; 0 处原样通过，其他位置为 0（x = 0 处也为 0）。</translation>
    </message>
    <message>
        <source>dY (grad_output) has shape {shape}, but the output of these settings has shape {expected}: dY must have the output&apos;s shape</source>
        <translation>dY（grad_output）的形状为 {shape}，但这些设置下输出的形状为 {expected}：dY 必须与输出形状相同</translation>
    </message>
    <message>
        <source>“{value}” is not a number</source>
        <translation>“{value}”不是数字</translation>
    </message>
    <message>
        <source>an empty cell is not a number</source>
        <translation>空单元格不是数字</translation>
    </message>
    <message>
        <source>{value} is beyond the largest number (about ±1.8e308); type inf for infinity</source>
        <translation>{value} 超出了最大的数（约 ±1.8e308）；要表示无穷大请输入 inf</translation>
    </message>
    <message>
        <source>“{value}” is ambiguous: type {thousands} or {decimal}</source>
        <translation>“{value}”有歧义：请输入 {thousands} 或 {decimal}</translation>
    </message>
    <message>
        <source>“{value}”: digits grouped with commas are not read; type {plain}</source>
        <translation>“{value}”：不识别用逗号分组的数字；请输入 {plain}</translation>
    </message>
    <message>
        <source>{value} is closer to zero than the smallest number (about 4.9e-324): stored as 0</source>
        <translation>{value} 比最小的数（约 4.9e-324）更接近零：已存为 0</translation>
    </message>
    <message>
        <source>compare mode needs at least 2 settings, not {count}</source>
        <translation>对比模式至少需要 2 种设置，而不是 {count} 种</translation>
    </message>
    <message>
        <source>compare mode shows at most {limit} settings, not {count}</source>
        <translation>对比模式最多显示 {limit} 种设置，而不是 {count} 种</translation>
    </message>
    <message>
        <source>{operation} has no parameter {name}</source>
        <translation>{operation} 没有参数 {name}</translation>
    </message>
    <message>
        <source>{operation} cannot be compared with {other}: it takes other tensors</source>
        <translation>{operation} 不能与 {other} 对比：它使用不同的张量</translation>
    </message>
    <message>
        <source>setting {panel} ({title}): {reason}</source>
        <translation>设置 {panel}（{title}）：{reason}</translation>
    </message>
    <message>
        <source>{name} = {value}</source>
        <translation>{name} = {value}</translation>
    </message>
    <message>
        <source>the same settings</source>
        <translation>相同的设置</translation>
    </message>
    <message>
        <source>on</source>
        <translation>开</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>{first}, {rest}</source>
        <translation>{first}，{rest}</translation>
    </message>
    <message>
        <source>{first} / {rest}</source>
        <translation>{first} / {rest}</translation>
    </message>
    <message>
        <source>{first} vs {rest}</source>
        <translation>{first} 对比 {rest}</translation>
    </message>
    <message>
        <source>{name}: {values}</source>
        <translation>{name}：{values}</translation>
    </message>
    <message>
        <source>{name} ±1</source>
        <translation>{name} ±1</translation>
    </message>
    <message>
        <source>{title} adds a last column: {before} → {after} outputs per row</source>
        <translation>{title} 增加了最后一列：每行输出 {before} → {after} 个</translation>
    </message>
    <message>
        <source>{title} adds {count} columns: {before} → {after} outputs per row</source>
        <translation>{title} 增加了 {count} 列：每行输出 {before} → {after} 个</translation>
    </message>
    <message>
        <source>{title} drops {count} columns: {before} → {after} outputs per row</source>
        <translation>{title} 减少了 {count} 列：每行输出 {before} → {after} 个</translation>
    </message>
    <message>
        <source>{title} adds a last row: {before} → {after} outputs per column</source>
        <translation>{title} 增加了最后一行：每列输出 {before} → {after} 个</translation>
    </message>
    <message>
        <source>{title} adds {count} rows: {before} → {after} outputs per column</source>
        <translation>{title} 增加了 {count} 行：每列输出 {before} → {after} 个</translation>
    </message>
    <message>
        <source>{title} drops {count} rows: {before} → {after} outputs per column</source>
        <translation>{title} 减少了 {count} 行：每列输出 {before} → {after} 个</translation>
    </message>
    <message>
        <source>{title}: output {before} → {after}</source>
        <translation>{title}：输出 {before} → {after}</translation>
    </message>
    <message>
        <source>the added window reads {padding} padding cells</source>
        <translation>新增的窗口读取了 {padding} 个填充单元</translation>
    </message>
    <message>
        <source>the {windows} added windows read {padding} padding cells</source>
        <translation>新增的 {windows} 个窗口读取了 {padding} 个填充单元</translation>
    </message>
    <message>
        <source>{reads} ({overhang} more lie beyond the padding: never read)</source>
        <translation>{reads}（另有 {overhang} 个位于填充之外：从不读取）</translation>
    </message>
    <message>
        <source>{title}: {count} of {total} outputs differ</source>
        <translation>{title}：{total} 个输出中有 {count} 个不同</translation>
    </message>
    <message>
        <source>{title}: the same output</source>
        <translation>{title}：输出相同</translation>
    </message>
    <message>
        <source>dX differs in {count} of {total} cells</source>
        <translation>dX 在 {total} 个单元中有 {count} 个不同</translation>
    </message>
    <message>
        <source>the same dX</source>
        <translation>dX 相同</translation>
    </message>
    <message>
        <source>{first}; {rest}</source>
        <translation>{first}；{rest}</translation>
    </message>
    <message>
        <source>no window at ({row}, {col}) with this setting</source>
        <translation>此设置在 ({row}, {col}) 处没有窗口</translation>
    </message>
    <message>
        <source>{title}: {arithmetic}</source>
        <translation>{title}：{arithmetic}</translation>
    </message>
    <message>
        <source>Every setting at ({row}, {col}): the arithmetic is in each panel</source>
        <translation>所有设置都在 ({row}, {col})：算式见各面板</translation>
    </message>
    <message>
        <source>Open layer stack</source>
        <translation>打开层堆叠</translation>
    </message>
    <message>
        <source>Close layer stack</source>
        <translation>关闭层堆叠</translation>
    </message>
    <message>
        <source>Load layer stack</source>
        <translation>载入层堆叠</translation>
    </message>
    <message>
        <source>Add layer {op}</source>
        <translation>添加层 {op}</translation>
    </message>
    <message>
        <source>Remove layer {n}</source>
        <translation>删除第 {n} 层</translation>
    </message>
    <message>
        <source>Move layer {n}</source>
        <translation>移动第 {n} 层</translation>
    </message>
    <message>
        <source>Layer {n}: change {name}</source>
        <translation>第 {n} 层：修改 {name}</translation>
    </message>
    <message>
        <source>Edit stack input [{row}, {col}]</source>
        <translation>编辑层堆叠输入 [{row}, {col}]</translation>
    </message>
    <message>
        <source>Replace stack input</source>
        <translation>替换层堆叠输入</translation>
    </message>
    <message>
        <source>Change the stack&apos;s stepping</source>
        <translation>更改层堆叠的步进方式</translation>
    </message>
    <message>
        <source>Stack presets</source>
        <translation>层堆叠预设</translation>
    </message>
    <message>
        <source>Choose a stack preset…</source>
        <translation>选择一个层堆叠预设…</translation>
    </message>
    <message>
        <source>Layers (input at the top)</source>
        <translation>各层（输入在最上面）</translation>
    </message>
    <message>
        <source>Add layer</source>
        <translation>添加层</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Move the layer up</source>
        <translation>把这一层上移</translation>
    </message>
    <message>
        <source>Move the layer down</source>
        <translation>把这一层下移</translation>
    </message>
    <message>
        <source>Channel shown</source>
        <translation>显示的通道</translation>
    </message>
    <message>
        <source>Backward from the clicked output cell</source>
        <translation>从点击的输出单元格开始反向传播</translation>
    </message>
    <message>
        <source>dY = 1 at the last clicked cell of the last layer, 0 elsewhere (off: dY = ones)</source>
        <translation>dY 在最后一层最近点击的单元格处为 1，其余为 0（关闭时：dY = 全 1）</translation>
    </message>
    <message>
        <source>Backward</source>
        <translation>反向</translation>
    </message>
    <message>
        <source>Shapes</source>
        <translation>形状表</translation>
    </message>
    <message>
        <source>Show or hide the shape table ({key}; presentation mode starts with it folded)</source>
        <translation>显示或隐藏形状表（{key}；进入演示模式时先收起）</translation>
    </message>
    <message>
        <source>Shape table</source>
        <translation>形状表</translation>
    </message>
    <message>
        <source>Show or hide the layer stack&apos;s shape table, also in presentation mode</source>
        <translation>显示或隐藏层堆叠的形状表，演示模式下也可以</translation>
    </message>
    <message>
        <source>Playback speed (steps per second)</source>
        <translation>播放速度（每秒步数）</translation>
    </message>
    <message>
        <source>By window</source>
        <translation>逐窗口</translation>
    </message>
    <message>
        <source>By layer</source>
        <translation>逐层</translation>
    </message>
    <message>
        <source>Stepping: each layer window by window, as a single operation steps (by window), or one step per layer (by layer)</source>
        <translation>步进方式：每层逐个窗口，与单个运算的步进相同（逐窗口）；或每层一步（逐层）</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Receptive field</source>
        <translation>感受野</translation>
    </message>
    <message>
        <source>Jump</source>
        <translation>跳距</translation>
    </message>
    <message>
        <source>Layer {n}: {op}</source>
        <translation>第 {n} 层：{op}</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>X  {shape}</source>
        <translation>X  {shape}</translation>
    </message>
    <message>
        <source>The input: click a cell, hover it, or type a number</source>
        <translation>输入：点击或悬停一个单元格，或输入一个数</translation>
    </message>
    <message>
        <source>Layer {n} ({op}): its output. Click a cell to see its receptive field on every earlier level; hover one to see what depends on it.</source>
        <translation>第 {n} 层（{op}）的输出。点击一个单元格，查看它在前面每一层上的感受野；悬停在一个单元格上，查看哪些单元格依赖于它。</translation>
    </message>
    <message>
        <source>The gradient of the loss with respect to this level</source>
        <translation>损失对这一层的梯度</translation>
    </message>
    <message>
        <source>Layer stack</source>
        <translation>层堆叠</translation>
    </message>
    <message>
        <source>Stack mode: a chain of layers, their shapes and receptive fields, stepped forward and backward</source>
        <translation>层堆叠模式：一串层，它们的形状和感受野，逐层前向和反向步进</translation>
    </message>
    <message>
        <source>Next forward value</source>
        <translation>下一个前向值</translation>
    </message>
    <message>
        <source>Backward: which dX cells, how much</source>
        <translation>反向：哪些 dX 单元、各得多少</translation>
    </message>
    <message>
        <source>Output size (when a parameter changes)</source>
        <translation>输出尺寸（参数改变时）</translation>
    </message>
    <message>
        <source>Argmax position of the window</source>
        <translation>窗口最大值的位置</translation>
    </message>
    <message>
        <source>{target} = {expression} = ?{rest}</source>
        <translation>{target} = {expression} = ?{rest}</translation>
    </message>
    <message>
        <source>{target} = ?</source>
        <translation>{target} = ?</translation>
    </message>
    <message>
        <source>Which cells of {view} does {source} reach? Click them, then Enter.</source>
        <translation>{source} 会到达 {view} 的哪些单元？点击它们，然后按 Enter。</translation>
    </message>
    <message>
        <source>Which cell of {view} is the maximum of the marked window? Click it.</source>
        <translation>标记窗口的最大值是 {view} 的哪个单元？点击它。</translation>
    </message>
    <message>
        <source>{target} = {expression} = ?{rest} And which cell of {view} is the maximum? Click it.</source>
        <translation>{target} = {expression} = ?{rest} 最大值是 {view} 的哪个单元？点击它。</translation>
    </message>
    <message>
        <source>Which cells of {view} receive {source}, and how much does each get? Click them, type the amount, Enter.</source>
        <translation>{view} 的哪些单元接收 {source}，每个得到多少？点击它们，输入数值，按 Enter。</translation>
    </message>
    <message>
        <source>Which cells of {view} receive {source}? Click them, then Enter.</source>
        <translation>{view} 的哪些单元接收 {source}？点击它们，然后按 Enter。</translation>
    </message>
    <message>
        <source>What is the output size for these parameters? (rows × columns)</source>
        <translation>这些参数下的输出尺寸是多少？（行 × 列）</translation>
    </message>
    <message>
        <source>“{text}” is not a number</source>
        <translation>“{text}”不是数字</translation>
    </message>
    <message>
        <source>“{text}” is not a size: type rows × columns, e.g. 4x4</source>
        <translation>“{text}”不是尺寸：请输入 行 × 列，例如 4x4</translation>
    </message>
    <message>
        <source>type how much each cell gets</source>
        <translation>请输入每个单元得到多少</translation>
    </message>
    <message>
        <source>Answer:</source>
        <translation>答案：</translation>
    </message>
    <message>
        <source>value or rows×cols</source>
        <translation>数值或 行×列</translation>
    </message>
    <message>
        <source>Type the value (or the size, or the amount), click cells if asked, press Enter</source>
        <translation>输入数值（或尺寸、或数量），需要时点击单元，按 Enter</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <source>Mark the answer right or wrong (Enter)</source>
        <translation>判断答案对错（Enter）</translation>
    </message>
    <message>
        <source>Reveal</source>
        <translation>揭晓</translation>
    </message>
    <message>
        <source>Show the answer (PageDown); the next PageDown steps on</source>
        <translation>显示答案（PageDown）；再按 PageDown 进入下一步</translation>
    </message>
    <message>
        <source>Reset score</source>
        <translation>重置得分</translation>
    </message>
    <message>
        <source>Ask:</source>
        <translation>提问：</translation>
    </message>
    <message>
        <source>Only for operations with an argmax (max pooling)</source>
        <translation>仅适用于有 argmax 的运算（最大池化）</translation>
    </message>
    <message>
        <source>Score: {right} / {asked}</source>
        <translation>得分：{right} / {asked}</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>Nothing to ask at this step.</source>
        <translation>这一步没有问题。</translation>
    </message>
    <message>
        <source>Answer: {answer}</source>
        <translation>答案：{answer}</translation>
    </message>
    <message>
        <source>Click cells of the marked view ({count} picked), then Enter.</source>
        <translation>点击标记视图中的单元（已选 {count} 个），然后按 Enter。</translation>
    </message>
    <message>
        <source>Type your answer, Enter to check; PageDown reveals.</source>
        <translation>输入答案，按 Enter 检查；PageDown 揭晓。</translation>
    </message>
    <message>
        <source>✓ Right: {answer}</source>
        <translation>✓ 正确：{answer}</translation>
    </message>
    <message>
        <source>✗ Not quite: the answer is {answer}</source>
        <translation>✗ 不对：答案是 {answer}</translation>
    </message>
    <message>
        <source>cells: {right} right, {wrong} wrong, {missed} missed</source>
        <translation>单元：{right} 个正确，{wrong} 个错误，{missed} 个漏选</translation>
    </message>
    <message>
        <source>That is what “{title}” would give: {explanation}</source>
        <translation>这正是“{title}”会得到的结果：{explanation}</translation>
    </message>
    <message>
        <source>Quiz</source>
        <translation>测验</translation>
    </message>
    <message>
        <source>Quiz mode: the next result is hidden until answered or revealed (Q)</source>
        <translation>测验模式：下一个结果在回答或揭晓之前隐藏（Q）</translation>
    </message>
    <message>
        <source>Hidden: the output size is asked</source>
        <translation>已隐藏：正在提问输出尺寸</translation>
    </message>
</context>
</TS>
