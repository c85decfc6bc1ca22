using System;
using LineFit;

double loss = Model.LossGradient(-3, 3, out double dw, out double db);
Console.WriteLine($"{loss} {dw} {db}");
