// The comparison behind the choice of the locally-connected kernels (docs/results.md,
// "Locally-connected layer"): correctness of native/lc_kernels.c against a naive double
// reference on small geometries, then best-of-N times on the paper shape (32×32×3 → 32×32×3,
// 11×11 windows) at 100 and 200 rows for
//   direct kernels (native/lc_kernels.c, single-threaded),
//   dense with a mask (one 3072×3072 sgemm, OpenBLAS threads),
//   gathered patches + one (rows×363)·(363×3) sgemm per location (1024 per product).
// Build and run from the repository root:
//   cc -O3 -std=gnu11 -ffp-contract=off -fno-math-errno $(pkg-config --cflags openblas) \
//      -o /tmp/lc-variants bench/lc-variants.c native/lc_kernels.c $(pkg-config --libs openblas) -lm
//   /tmp/lc-variants 5
#include "../native/lc_kernels.h"
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static float rnd(void){return (float)rand()/RAND_MAX*2-1;}
static size_t widx(const lc_geom*g,size_t py,size_t px,size_t co,size_t ci,size_t dy,size_t dx){size_t K=g->window;return (((((py*g->out_channels+co)*g->in_channels+ci)*K+dy)*K+dx)*g->width)+px;}
static double check(const lc_geom*g,size_t B){
  size_t H=g->height,W=g->width,Ci=g->in_channels,Co=g->out_channels,K=g->window,r=K/2;
  size_t fin=Ci*H*W,fout=Co*H*W,nw=H*Co*Ci*K*K*W;
  float*x=malloc(B*fin*4),*w=malloc(nw*4),*y=malloc(B*fout*4),*dz=malloc(B*fout*4),*dw=malloc(nw*4),*dx=malloc(B*fin*4);
  for(size_t i=0;i<B*fin;i++)x[i]=rnd(); for(size_t i=0;i<nw;i++)w[i]=rnd(); for(size_t i=0;i<B*fout;i++){dz[i]=rnd();y[i]=rnd();}
  for(size_t i=0;i<nw;i++)dw[i]=rnd(); for(size_t i=0;i<B*fin;i++)dx[i]=rnd();
  float*y0=malloc(B*fout*4);memcpy(y0,y,B*fout*4);float*dw0=malloc(nw*4);memcpy(dw0,dw,nw*4);float*dx0=malloc(B*fin*4);memcpy(dx0,dx,B*fin*4);
  float al=0.7f,be=0.3f;
  lc_forward(g,B,al,x,w,be,y); lc_weight_grad(g,B,al,x,dz,be,dw); lc_input_grad(g,B,al,dz,w,be,dx);
  double*ry=calloc(B*fout,8),*rdw=calloc(nw,8),*rdx=calloc(B*fin,8);
  for(size_t i=0;i<B;i++)for(size_t co=0;co<Co;co++)for(size_t py=0;py<H;py++)for(size_t px=0;px<W;px++)
   for(size_t ci=0;ci<Ci;ci++)for(size_t a=0;a<K;a++)for(size_t b=0;b<K;b++){
     long yy=(long)py+a-r,xx=(long)px+b-r; if(yy<0||xx<0||yy>=(long)H||xx>=(long)W)continue;
     double xv=x[i*fin+(ci*H+yy)*W+xx], wv=w[widx(g,py,px,co,ci,a,b)], d=dz[i*fout+(co*H+py)*W+px];
     ry[i*fout+(co*H+py)*W+px]+=xv*wv; rdw[widx(g,py,px,co,ci,a,b)]+=xv*d; rdx[i*fin+(ci*H+yy)*W+xx]+=wv*d;}
  double e=0;
  for(size_t i=0;i<B*fout;i++)e=fmax(e,fabs(y[i]-(al*ry[i]+be*y0[i])));
  for(size_t i=0;i<nw;i++)e=fmax(e,fabs(dw[i]-(al*rdw[i]+be*dw0[i])));
  for(size_t i=0;i<B*fin;i++)e=fmax(e,fabs(dx[i]-(al*rdx[i]+be*dx0[i])));
  return e;
}
int main(int argc,char**argv){
  lc_geom t1={5,7,3,2,3},t2={5,7,3,2,5},t3={4,3,2,3,5},t4={6,9,1,1,11};
  printf("check err %g %g %g %g\n",check(&t1,3),check(&t2,37),check(&t3,2),check(&t4,33));
  int reps=argc>1?atoi(argv[1]):3;
  lc_geom g={32,32,3,3,11};
  size_t HW=1024,fin=3072,fout=3072,T=363,nw=32*3*T*32;
  for(int bi=0;bi<2;bi++){size_t B=bi?200:100;
    float*x=malloc(B*fin*4),*w=malloc(nw*4),*y=malloc(B*fout*4),*dz=malloc(B*fout*4),*dw=malloc(nw*4),*dx=malloc(B*fin*4);
    for(size_t i=0;i<B*fin;i++)x[i]=rnd(); for(size_t i=0;i<nw;i++)w[i]=rnd(); for(size_t i=0;i<B*fout;i++)dz[i]=rnd();
    double useful=2.0*B*HW*T*3;
    double best[6]={1e9,1e9,1e9,1e9,1e9,1e9};
    float*Wd=malloc((size_t)fin*fout*4);for(size_t i=0;i<(size_t)fin*fout;i++)Wd[i]=rnd()*0.01f;
    float*patch=malloc(B*T*4),*wl=malloc(T*3*4),*yl=malloc(B*3*4);for(size_t i=0;i<T*3;i++)wl[i]=rnd();
    for(int rep=0;rep<reps;rep++){double t;
      t=now();lc_forward(&g,B,1,x,w,0,y);t=now()-t;if(t<best[0])best[0]=t;
      t=now();lc_weight_grad(&g,B,1,x,dz,0,dw);t=now()-t;if(t<best[1])best[1]=t;
      t=now();lc_input_grad(&g,B,1,dz,w,0,dx);t=now()-t;if(t<best[2])best[2]=t;
      t=now();cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,B,fout,fin,1,x,fin,Wd,fout,0,y,fout);t=now()-t;if(t<best[3])best[3]=t;
      // gather + per-location product (rows×363)·(363×3), 1024 locations
      t=now();
      for(size_t py=0;py<32;py++)for(size_t px=0;px<32;px++){
        for(size_t i=0;i<B;i++){float*pr=patch+i*T;for(size_t ci=0;ci<3;ci++)for(size_t a=0;a<11;a++){long yy=(long)py+a-5;
          for(size_t b=0;b<11;b++){long xx=(long)px+b-5;*pr++=(yy<0||xx<0||yy>=32||xx>=32)?0:x[i*fin+(ci*32+yy)*32+xx];}}}
        cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,B,3,T,1,patch,T,wl,3,0,yl,3);
        for(size_t i=0;i<B;i++)for(size_t co=0;co<3;co++)y[i*fout+co*HW+py*32+px]=yl[i*3+co];}
      t=now()-t;if(t<best[4])best[4]=t;
      // gather + per-location weight gradient patchᵀ·dz (363×rows)·(rows×3)
      t=now();
      for(size_t py=0;py<32;py++)for(size_t px=0;px<32;px++){
        for(size_t i=0;i<B;i++){float*pr=patch+i*T;for(size_t ci=0;ci<3;ci++)for(size_t a=0;a<11;a++){long yy=(long)py+a-5;
          for(size_t b=0;b<11;b++){long xx=(long)px+b-5;*pr++=(yy<0||xx<0||yy>=32||xx>=32)?0:x[i*fin+(ci*32+yy)*32+xx];}}
          for(size_t co=0;co<3;co++)yl[i*3+co]=dz[i*fout+co*HW+py*32+px];}
        cblas_sgemm(CblasRowMajor,CblasTrans,CblasNoTrans,T,3,B,1,patch,T,yl,3,0,wl,3);}
      t=now()-t;if(t<best[5])best[5]=t;
    }
    const char*nm[6]={"direct forward","direct weight-grad","direct input-grad","dense masked 3072x3072 gemm","gather+per-location sgemm forward","gather+per-location sgemm weight-grad"};
    for(int k=0;k<6;k++)printf("B=%zu %-40s %8.2f ms  %6.2f GFLOP/s useful\n",B,nm[k],best[k]*1e3,useful/best[k]*1e-9);
  }
}
